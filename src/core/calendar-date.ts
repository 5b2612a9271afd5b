/** Avro `date` is days since 1970-01-01; finance and PostgreSQL speak `YYYY-MM-DD`. Pure UTC maths. */
const MS_PER_DAY = 86_400_000;

export function daysToIsoDate(days: number): string {
  return new Date(days * MS_PER_DAY).toISOString().slice(0, 10);
}

export function isoDateToDays(isoDate: string): number {
  const ms = Date.parse(`${isoDate}T00:00:00.000Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(isoDate) || Number.isNaN(ms)) {
    throw new RangeError(`not a calendar date (YYYY-MM-DD): ${JSON.stringify(isoDate)}`);
  }
  return ms / MS_PER_DAY;
}
