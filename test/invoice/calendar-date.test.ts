import { describe, expect, it } from 'vitest';
import { daysToIsoDate, isoDateToDays, yearOfDays } from '../../src/invoice/calendar-date.ts';

describe('calendar dates', () => {
  it('turns YYYY-MM-DD into days since 1970-01-01 and back', () => {
    expect(isoDateToDays('2026-04-01')).toBe(20_544);
    expect(daysToIsoDate(20_544)).toBe('2026-04-01');
    expect(yearOfDays(20_544)).toBe(2026);
  });

  it.each(['2026-02-30', '2026-02-29', '2026-13-01', '2026-04-31', '2026-4-1', 'April'])(
    'refuses %s, which is no calendar date',
    (text) => {
      expect(isoDateToDays(text)).toBeUndefined();
    },
  );

  it('accepts 29 February in a leap year', () => {
    expect(daysToIsoDate(isoDateToDays('2028-02-29') as number)).toBe('2028-02-29');
  });
});
