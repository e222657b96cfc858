import { describe, expect, it } from 'vitest';
import {
  financialYearBounds, financialYearOfDate, formatFinancialYear, parseFinancialYear, parseFinancialYearList, tryParseFinancialYear,
} from '../../src/core/financial-year.js';

describe('financial years', () => {
  it.each(['2017-18', '2017/18', '2017-2018', '17/18', 'FY2017-18', 'FY 2017/18', '2017–18', ' 2017/2018 '])('parses %s as 2017-18', (s) => {
    expect(formatFinancialYear(parseFinancialYear(s))).toBe('2017-18');
  });

  it.each(['2017-19', '2017', '17/2018', '2017-17', 'next year', '1999-2001'])('rejects %s', (s) => {
    expect(tryParseFinancialYear(s)).toBeNull();
    expect(() => parseFinancialYear(s)).toThrow(/is not a UK financial year/);
  });

  it('handles the century turn', () => {
    expect(formatFinancialYear(parseFinancialYear('1999-00'))).toBe('1999-00');
    expect(formatFinancialYear(parseFinancialYear('99/00'))).toBe('1999-00');
  });

  it('puts a date in the year that runs 1 April to 31 March', () => {
    expect(financialYearOfDate('2018-03-31').start).toBe(2017);
    expect(financialYearOfDate('2018-04-01').start).toBe(2018);
    expect(financialYearBounds(2017)).toEqual({ from: '2017-04-01', to: '2018-03-31' });
  });

  it('expands ranges and lists', () => {
    expect(parseFinancialYearList(['2017-18..2019-20'])).toEqual([2017, 2018, 2019]);
    expect(parseFinancialYearList(['2019-20', '2017/18,2017-2018'])).toEqual([2017, 2019]);
    expect(() => parseFinancialYearList(['2019-20..2017-18'])).toThrow(/runs backwards/);
  });
});
