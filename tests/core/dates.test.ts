import { describe, expect, it } from 'vitest';
import { formatLongDate, parseDate } from '../../src/core/dates.js';

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
