/** Avro `date` is days since 1970-01-01; finance and PostgreSQL speak `YYYY-MM-DD`. Pure UTC maths. */
const MS_PER_DAY = 86_400_000;

export function daysToIsoDate(days: number): string {
  return new Date(days * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Days of a `YYYY-MM-DD` date, or undefined when it is no calendar date (2026-02-30 included). */
export function isoDateToDays(isoDate: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(isoDate)) return undefined;
  const ms = Date.parse(`${isoDate}T00:00:00.000Z`);
  // V8 rolls impossible days over (2026-02-30 parses as 2026-03-02): only a round trip tells.
  if (Number.isNaN(ms) || daysToIsoDate(ms / MS_PER_DAY) !== isoDate) return undefined;
  return ms / MS_PER_DAY;
}

/** The calendar year of a day number. */
export function yearOfDays(days: number): number {
  return new Date(days * MS_PER_DAY).getUTCFullYear();
}
