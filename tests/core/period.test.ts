import { describe, expect, it } from 'vitest';
import { formatPeriod, isMultiYear, periodFinancialYears, tryParsePeriod } from '../../src/core/period.js';

describe('periods', () => {
  const cases: [string, { start: string; end: string; precision: string }, string, [number, number]][] = [
    ['2024-25', { start: '2024-04-01', end: '2025-03-31', precision: 'fy' }, '2024-25', [2024, 2024]],
    ['2024-25 to 2025-26', { start: '2024-04-01', end: '2026-03-31', precision: 'fy' }, '2024-25 and 2025-26', [2024, 2025]],
    ['2024/25 and 2025/26', { start: '2024-04-01', end: '2026-03-31', precision: 'fy' }, '2024-25 and 2025-26', [2024, 2025]],
    ['2017-18 to 2019-20', { start: '2017-04-01', end: '2020-03-31', precision: 'fy' }, '2017-18 to 2019-20', [2017, 2019]],
    ['2023 to 2025', { start: '2023-01-01', end: '2025-12-31', precision: 'year' }, '2023 to 2025', [2022, 2025]],
    ['September 2015 to March 2016', { start: '2015-09-01', end: '2016-03-31', precision: 'month' }, 'September 2015 to March 2016', [2015, 2015]],
    ['Sept 2015 - Mar 2016', { start: '2015-09-01', end: '2016-03-31', precision: 'month' }, 'September 2015 to March 2016', [2015, 2015]],
    ['2020-03-01 to 2020-03-31', { start: '2020-03-01', end: '2020-03-31', precision: 'day' }, '1 March 2020 to 31 March 2020', [2019, 2019]],
    ['2020-02', { start: '2020-02-01', end: '2020-02-29', precision: 'month' }, 'February 2020', [2019, 2019]],
  ];
  for (const [text, period, words, [from, to]] of cases) {
    it(`${text}`, () => {
      const p = tryParsePeriod(text);
      expect(p).toEqual(period);
      expect(formatPeriod(p!)).toBe(words);
      expect(periodFinancialYears(p!)).toEqual({ from, to });
      expect(isMultiYear(p!)).toBe(from !== to);
    });
  }
  it('rejects what is not a period', () => {
    for (const t of ['', 'soon', '2025 to 2023', '2024-25 and 2026-27', 'Smarch 2020', '2023-2025', '2020-13']) expect(tryParsePeriod(t)).toBeNull();
  });
});
