import { describe, expect, it } from 'vitest';
import {
  columnLetter, columnOfRef, decodeEscapes, isBuiltInDateFormat, isDateFormat, numberText, parseRange, rowOfRef, serialToIsoDate,
} from '../../src/import/xlsx/cells.js';
import { headerKind } from '../../src/import/xlsx/read-xlsx.js';

describe('Excel date serials', () => {
  it('1900 system: day 1 is 1 January 1900; day 61 is 1 March 1900; the phantom 29 February 1900 is refused', () => {
    expect(serialToIsoDate(1, false)).toEqual({ ok: true, date: '1900-01-01' });
    expect(serialToIsoDate(59, false)).toEqual({ ok: true, date: '1900-02-28' });
    expect(serialToIsoDate(60, false)).toMatchObject({ ok: false, reason: expect.stringContaining('29 February 1900') });
    expect(serialToIsoDate(61, false)).toEqual({ ok: true, date: '1900-03-01' });
    expect(serialToIsoDate(43489, false)).toEqual({ ok: true, date: '2019-01-24' });
    expect(serialToIsoDate(0, false).ok).toBe(false);
  });

  it('drops the time of day; 1904 system counts from 1 January 1904', () => {
    expect(serialToIsoDate(43489.99, false)).toEqual({ ok: true, date: '2019-01-24' });
    expect(serialToIsoDate(0, true)).toEqual({ ok: true, date: '1904-01-01' });
    expect(serialToIsoDate(40000, true)).toEqual({ ok: true, date: '2013-07-07' });
    expect(serialToIsoDate(40000, false)).toEqual({ ok: true, date: '2009-07-06' });
    // The same day in both systems is 1,462 days apart.
    expect(serialToIsoDate(43489 - 1462, true)).toEqual({ ok: true, date: '2019-01-24' });
  });

  it('refuses what Excel cannot show as a date', () => {
    expect(serialToIsoDate(-1, false).ok).toBe(false);
    expect(serialToIsoDate(2_958_466, false).ok).toBe(false);
    expect(serialToIsoDate(2_958_465, false)).toEqual({ ok: true, date: '9999-12-31' });
  });
});

describe('cell values as text', () => {
  it('numbers as a General cell shows them: 15 significant digits, never exponents', () => {
    expect(numberText(15000)).toBe('15000');
    expect(numberText(1234.5)).toBe('1234.5');
    expect(numberText(41133.770000000004)).toBe('41133.77');
    expect(numberText(0.1 + 0.2)).toBe('0.3');
    expect(numberText(1e-7)).toBe('0.0000001');
    expect(numberText(-20.25)).toBe('-20.25');
  });

  it('decodes OOXML escapes of characters XML cannot hold', () => {
    expect(decodeEscapes('line one_x000D_\nline two')).toBe('line one\r\nline two');
    expect(decodeEscapes('no escapes here')).toBe('no escapes here');
    expect(decodeEscapes('_x_ not one')).toBe('_x_ not one');
  });

  it('tells date formats from number formats', () => {
    for (const f of ['dd/mm/yyyy', 'd mmmm yyyy', 'yyyy-mm-dd', '[$-809]dd mmmm yyyy', 'mm-dd-yy', 'h:mm']) expect(isDateFormat(f), f).toBe(true);
    for (const f of ['General', '£#,##0.00', '#,##0', '0.00%', '"days "0', '@', '[Red]#,##0']) expect(isDateFormat(f), f).toBe(false);
    expect(isBuiltInDateFormat(14)).toBe(true);
    expect(isBuiltInDateFormat(4)).toBe(false);
  });

  it('cell references and ranges', () => {
    expect([1, 26, 27, 52, 703].map(columnLetter)).toEqual(['A', 'Z', 'AA', 'AZ', 'AAA']);
    expect(columnOfRef('AB12')).toBe(28);
    expect(rowOfRef('AB12')).toBe(12);
    expect(parseRange('C3:B1')).toEqual({ top: 1, left: 2, bottom: 3, right: 3 });
    expect(parseRange('D4')).toEqual({ top: 4, left: 4, bottom: 4, right: 4 });
  });
});

describe('which header a row is', () => {
  it('360Giving, foi-lines, a sheet of one list per grant, or none', () => {
    expect(headerKind(['Identifier', 'Title', 'Amount Awarded'])).toBe('360');
    expect(headerKind([' identifier ', 'amount awarded'])).toBe('360');
    expect(headerKind(['Grant ID', 'Amount'])).toBe('foi-lines');
    expect(headerKind(['Identifier', 'Beneficiary Location:Name'])).toBe('sub-sheet');
    expect(headerKind(['Name', 'Amount'])).toBe(null);
    expect(headerKind(['Grants awarded in 2019'])).toBe(null);
  });
});
