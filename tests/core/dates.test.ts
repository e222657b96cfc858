import { describe, expect, it } from 'vitest';
import { formatLongDate, londonDate, parseDate, todayInLondon } from '../../src/core/dates.js';

describe('parseDate', () => {
  it.each([
    ['2019-01-24', '2019-01-24', false],
    ['24/01/2019', '2019-01-24', true],
    ['24 January 2019', '2019-01-24', true],
    ['2019-01-24T00:00:00+00:00', '2019-01-24', true],
    // 23:30 UTC on 31 March 2019 is 00:30 BST on 1 April in London.
    ['2019-03-31T23:30:00+00:00', '2019-04-01', true],
    ['2019-06-30T23:30:00Z', '2019-07-01', true],
    ['2019-12-31T23:30:00Z', '2019-12-31', true],
  ])('%s -> %s', (input, date, normalised) => {
    expect(parseDate(input)).toEqual({ ok: true, date, normalised });
  });

  it.each([
    ['31/02/2019', 'is not a real date'],
    ['2019-02-29', 'is not a real date'],
    ['24/01/19', 'two-digit year'],
    ['yesterday', 'is not a date'],
  ])('rejects %s', (input, reason) => {
    const r = parseDate(input);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain(reason);
  });

  it('writes dates as letters do', () => {
    expect(formatLongDate('2019-01-24')).toBe('24 January 2019');
    expect(formatLongDate('2023-08-23')).toBe('23 August 2023');
  });
});

describe('londonDate (by hand) agrees with Intl in Europe/London', () => {
  it('every hour from 1996 to 2040, and either side of each clock change to the minute', () => {
    const intl = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });
    const viaIntl = (ms: number) => {
      const p = Object.fromEntries(intl.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
      return `${p.year}-${p.month}-${p.day}`;
    };
    let mismatches = 0;
    for (let ms = Date.UTC(1996, 0, 1); ms < Date.UTC(2041, 0, 1); ms += 3_600_000) if (londonDate(ms) !== viaIntl(ms)) mismatches++;
    // Around 23:00-01:00 UTC on each change day, minute by minute.
    for (let y = 1996; y <= 2040; y++) {
      for (const m of [2, 9]) {
        const last = new Date(Date.UTC(y, m + 1, 0));
        const day = Date.UTC(y, m, last.getUTCDate() - last.getUTCDay());
        for (let ms = day - 2 * 3_600_000; ms < day + 3 * 3_600_000; ms += 60_000) if (londonDate(ms) !== viaIntl(ms)) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
    expect(londonDate(Date.UTC(1990, 6, 1, 23, 30))).toBe('1990-07-02'); // before 1996: through Intl
    expect(todayInLondon(new Date(Date.UTC(2024, 5, 30, 23, 30)))).toBe('2024-07-01');
  });
});
