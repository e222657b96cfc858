/**
 * UK financial year: 1 April to 31 March. One type, one parser, one formatter.
 * Represented by its starting calendar year: FY 2017-18 is { start: 2017 }.
 */
import { UsageError } from './errors.js';

export interface FinancialYear {
  readonly start: number;
}

const MIN_YEAR = 1900;
const MAX_YEAR = 2199;

/**
 * Accepts `2017-18`, `2017/18`, `2017-2018`, `2017/2018`, `17/18`, `17-18`, `FY2017-18`,
 * `FY 2017/18`, `2017–18` (en dash). The second year must follow the first.
 * Returns null when the text is not a financial year; throws nothing.
 */
export function tryParseFinancialYear(text: string): FinancialYear | null {
  const s = text.trim().replace(/^FY\s*/i, '').replace(/[\u2013\u2014]/g, '-');
  const m = /^(\d{2}|\d{4})\s*[-/]\s*(\d{2}|\d{4})$/.exec(s);
  if (!m) return null;
  const [, a, b] = m;
  let start: number;
  if (a.length === 4) start = Number(a);
  else if (b.length === 2) start = Number(a) >= 90 ? 1900 + Number(a) : 2000 + Number(a); // 17/18 -> 2017, 99/00 -> 1999
  else return null; // 17/2018 is too odd to guess
  const endShort = (start + 1) % 100;
  const endOk = b.length === 4 ? Number(b) === start + 1 : Number(b) === endShort;
  if (!endOk) return null;
  if (start < MIN_YEAR || start > MAX_YEAR) return null;
  return { start };
}

export function parseFinancialYear(text: string): FinancialYear {
  const fy = tryParseFinancialYear(text);
  if (!fy) {
    throw new UsageError(
      `"${text}" is not a UK financial year; write it as 2017-18 (also accepted: 2017/18, 2017-2018, 17/18, FY2017-18)`,
    );
  }
  return fy;
}

/** `2017-18` */
export function formatFinancialYear(fy: FinancialYear | number): string {
  const start = typeof fy === 'number' ? fy : fy.start;
  return `${start}-${String((start + 1) % 100).padStart(2, '0')}`;
}

/** `2017-2018`, the long form some letters use. */
export function formatFinancialYearLong(fy: FinancialYear | number): string {
  const start = typeof fy === 'number' ? fy : fy.start;
  return `${start}-${start + 1}`;
}

/** The financial year an ISO date (YYYY-MM-DD) falls in. */
export function financialYearOfDate(isoDate: string): FinancialYear {
  const y = Number(isoDate.slice(0, 4));
  const m = Number(isoDate.slice(5, 7));
  return { start: m >= 4 ? y : y - 1 };
}

/** First and last ISO dates of the year: 2017-04-01 .. 2018-03-31. */
export function financialYearBounds(fy: FinancialYear | number): { from: string; to: string } {
  const start = typeof fy === 'number' ? fy : fy.start;
  return { from: `${start}-04-01`, to: `${start + 1}-03-31` };
}

/**
 * `--fy` values: a single year or a range `2017-18..2019-20`; each value may be
 * comma-separated. Returns distinct start years in ascending order.
 */
export function parseFinancialYearList(values: readonly string[]): number[] {
  const out = new Set<number>();
  for (const value of values) {
    for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
      const range = part.split('..');
      if (range.length === 2) {
        const a = parseFinancialYear(range[0]).start;
        const b = parseFinancialYear(range[1]).start;
        if (b < a) throw new UsageError(`financial year range "${part}" runs backwards; write the earlier year first`);
        for (let y = a; y <= b; y++) out.add(y);
      } else if (range.length === 1) {
        out.add(parseFinancialYear(part).start);
      } else {
        throw new UsageError(`"${part}" is not a financial year or a range like 2017-18..2019-20`);
      }
    }
  }
  return [...out].sort((x, y) => x - y);
}
