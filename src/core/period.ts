/**
 * The period a money line covers, with the precision its source gives: a financial year
 * (`2024-25`), a run of financial years (`2024-25 to 2025-26`), calendar years (`2023 to 2025`),
 * months (`September 2015 to March 2016`) or days (`2020-03-01 to 2020-03-31`). One parser, one
 * formatter. A period is matched in every financial year it overlaps.
 */
import { financialYearOfDate, formatFinancialYear, tryParseFinancialYear } from './financial-year.js';
import { formatLongDate, parseDate } from './dates.js';

export type PeriodPrecision = 'fy' | 'year' | 'month' | 'day';
export const PERIOD_PRECISIONS: readonly PeriodPrecision[] = ['fy', 'year', 'month', 'day'];

export interface Period {
  /** First day covered (ISO). */
  readonly start: string;
  /** Last day covered (ISO). */
  readonly end: string;
  readonly precision: PeriodPrecision;
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const MONTH_NAMES = MONTHS.map((m) => m[0].toUpperCase() + m.slice(1));

function lastDayOfMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}
const pad = (n: number) => String(n).padStart(2, '0');

export function fyPeriod(startYear: number, endYear = startYear): Period {
  return { start: `${startYear}-04-01`, end: `${endYear + 1}-03-31`, precision: 'fy' };
}

/** One end of a period: a financial year, a calendar year, a month or a day. */
function parseEnd(text: string): { precision: PeriodPrecision; first: string; last: string } | null {
  const s = text.trim();
  const fy = tryParseFinancialYear(s);
  if (fy) return { precision: 'fy', first: `${fy.start}-04-01`, last: `${fy.start + 1}-03-31` };
  if (/^\d{4}$/.test(s)) return { precision: 'year', first: `${s}-01-01`, last: `${s}-12-31` };
  const month = /^([A-Za-z]+)\s+(\d{4})$/.exec(s);
  if (month) {
    const m = MONTHS.findIndex((x) => x === month[1].toLowerCase() || (month[1].length >= 3 && x.startsWith(month[1].toLowerCase())));
    if (m < 0) return null;
    const y = Number(month[2]);
    return { precision: 'month', first: `${y}-${pad(m + 1)}-01`, last: `${y}-${pad(m + 1)}-${pad(lastDayOfMonth(y, m + 1))}` };
  }
  const ym = /^(\d{4})-(\d{2})$/.exec(s);
  if (ym) {
    const y = Number(ym[1]);
    const m = Number(ym[2]);
    if (m < 1 || m > 12) return null;
    return { precision: 'month', first: `${y}-${pad(m)}-01`, last: `${y}-${pad(m)}-${pad(lastDayOfMonth(y, m))}` };
  }
  const d = parseDate(s);
  if (d.ok) return { precision: 'day', first: d.date, last: d.date };
  return null;
}

const PRECISION_RANK: Record<PeriodPrecision, number> = { day: 0, month: 1, year: 2, fy: 3 };

/**
 * `2024-25`, `2024-25 to 2025-26`, `2024-25 and 2025-26`, `2023 to 2025`, `September 2015 to
 * March 2016`, `2020-03-01 to 2020-03-31` (also with `..`, `-` or `–` between two ends).
 * Returns null when the text is not a period; throws nothing.
 */
export function tryParsePeriod(text: string): Period | null {
  const s = text.trim().replace(/[\u2013\u2014]/g, '-');
  if (!s) return null;
  const single = parseEnd(s);
  if (single) return { start: single.first, end: single.last, precision: single.precision };
  const parts = s.split(/\s+(?:to|and|until|-)\s+|\s*\.\.\s*/i);
  if (parts.length !== 2) return null;
  const a = parseEnd(parts[0]);
  const b = parseEnd(parts[1]);
  if (!a || !b) return null;
  if (b.last < a.first) return null;
  // "2024-25 and 2025-26" must be adjacent years: "and" is not a range over a gap.
  if (/\sand\s/i.test(s) && a.precision === 'fy' && b.precision === 'fy' && Number(b.first.slice(0, 4)) !== Number(a.first.slice(0, 4)) + 1) return null;
  // The period is as precise as its coarser end.
  const precision = PRECISION_RANK[a.precision] >= PRECISION_RANK[b.precision] ? a.precision : b.precision;
  return { start: a.first, end: b.last, precision };
}

export const PERIOD_EXPECTED = 'expected a period like 2024-25, 2024-25 to 2025-26, 2023 to 2025, September 2015 to March 2016 or 2020-03-01 to 2020-03-31';

/** Financial years (start years) the period overlaps, first and last. */
export function periodFinancialYears(p: Period): { from: number; to: number } {
  return { from: financialYearOfDate(p.start).start, to: financialYearOfDate(p.end).start };
}

/** Words for a period at its own precision: `2023 to 2025`, `2024-25 and 2025-26`, `March 2020`. */
export function formatPeriod(p: Period): string {
  const range = (a: string, b: string, joiner = ' to ') => (a === b ? a : `${a}${joiner}${b}`);
  switch (p.precision) {
    case 'fy': {
      const { from, to } = periodFinancialYears(p);
      return range(formatFinancialYear(from), formatFinancialYear(to), to === from + 1 ? ' and ' : ' to ');
    }
    case 'year':
      return range(p.start.slice(0, 4), p.end.slice(0, 4));
    case 'month': {
      const m = (iso: string) => `${MONTH_NAMES[Number(iso.slice(5, 7)) - 1]} ${iso.slice(0, 4)}`;
      return range(m(p.start), m(p.end));
    }
    case 'day':
      return range(formatLongDate(p.start), formatLongDate(p.end));
  }
}

/** A period within one financial year is that year's money; one over several is not split by year. */
export function isMultiYear(p: Period): boolean {
  const { from, to } = periodFinancialYears(p);
  return from !== to;
}
