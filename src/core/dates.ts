/**
 * Dates are ISO `YYYY-MM-DD` in data and `24 January 2019` in letters.
 * Parsing accepts what officers and 360Giving publishers really write.
 */

import { UsageError } from './errors.js';

export type IsoDate = string;

export type DateParse = { ok: true; date: IsoDate; normalised: boolean } | { ok: false; reason: string };

const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export function isValidYmd(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= daysInMonth(y, m);
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function iso(y: number, m: number, d: number): IsoDate {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** 01:00 UTC on the last Sunday of `month` (1-12) in `year`, in ms: when UK clocks change. */
function lastSundayOneAm(year: number, month: number): number {
  const last = new Date(Date.UTC(year, month, 0)); // last day of the month
  return Date.UTC(year, month - 1, last.getUTCDate() - last.getUTCDay(), 1);
}

let londonParts: Intl.DateTimeFormat | null = null;

/**
 * The calendar date in London at an instant: GMT, or BST (UTC+1) from 01:00 UTC on the last
 * Sunday of March to 01:00 UTC on the last Sunday of October, the rule since 1996 (Summer Time
 * Order 2002). By hand rather than Intl with a time zone, whose first use loads ICU data (tens of
 * ms of every `foi answer`); tests compare the two hour by hour. Earlier years go through Intl.
 */
export function londonDate(utcMs: number): IsoDate {
  const y = new Date(utcMs).getUTCFullYear();
  if (y < 1996) {
    londonParts ??= new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });
    const parts = Object.fromEntries(londonParts.formatToParts(new Date(utcMs)).map((p) => [p.type, p.value]));
    return `${parts.year}-${parts.month}-${parts.day}`;
  }
  const bst = utcMs >= lastSundayOneAm(y, 3) && utcMs < lastSundayOneAm(y, 10);
  const t = new Date(utcMs + (bst ? 3_600_000 : 0));
  return iso(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/**
 * Accepts `2019-01-24`, `2019-01-24T00:00:00+00:00` / `...Z` (taken as the calendar date in
 * Europe/London), `24/01/2019` and `24-01-2019` (UK day-first), `24 January 2019`.
 * Rejects impossible dates (31/02/2019) and US-style or two-digit-year forms as ambiguous.
 */
export function parseDate(input: unknown): DateParse {
  if (typeof input !== 'string') return { ok: false, reason: `expected a date, got ${input === null ? 'null' : typeof input}` };
  const s = input.trim();
  if (!s) return { ok: false, reason: 'empty date' };
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (m) return ymd(+m[1], +m[2], +m[3], false, s);
  m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (m) {
    const check = ymd(+m[1], +m[2], +m[3], true, s);
    if (!check.ok) return check;
    if (!m[7]) return { ok: true, date: check.date, normalised: true }; // local time: the date as written
    // UTC before 23:00 is the same calendar day in London (GMT or BST): no time-zone maths needed.
    if ((m[7] === 'Z' || /^\+00:?00$/.test(m[7])) && +m[4] < 23) return { ok: true, date: check.date, normalised: true };
    const t = Date.parse(s.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    if (Number.isNaN(t)) return { ok: false, reason: `"${s}" is not a valid date-time` };
    return { ok: true, date: londonDate(t), normalised: true };
  }
  m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
  if (m) return ymd(+m[3], +m[2], +m[1], true, s, 'day/month/year');
  m = /^(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})$/.exec(s);
  if (m) {
    const mi = MONTHS.findIndex((n) => n.toLowerCase().startsWith(m![2].toLowerCase()) && m![2].length >= 3);
    if (mi < 0) return { ok: false, reason: `"${s}": unknown month "${m[2]}"` };
    return ymd(+m[3], mi + 1, +m[1], true, s);
  }
  if (/^\d{1,2}[/.-]\d{1,2}[/.-]\d{2}$/.test(s)) {
    return { ok: false, reason: `"${s}" has a two-digit year; write the date as YYYY-MM-DD or DD/MM/YYYY` };
  }
  return { ok: false, reason: `"${s}" is not a date; expected YYYY-MM-DD or DD/MM/YYYY` };
}

function ymd(y: number, m: number, d: number, normalised: boolean, original: string, form = 'year-month-day'): DateParse {
  if (!isValidYmd(y, m, d)) return { ok: false, reason: `"${original}" is not a real date (read as ${form})` };
  return { ok: true, date: iso(y, m, d), normalised };
}

export function parseDateOrThrow(input: unknown, what: string): IsoDate {
  const r = parseDate(input);
  if (!r.ok) throw new Error(`${what}: ${r.reason}`);
  return r.date;
}

/** `24 January 2019` */
export function formatLongDate(date: IsoDate): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

/** `Friday 16 January 2026` */
export function formatLongDateWithWeekday(date: IsoDate): string {
  return `${WEEKDAYS[dayOfWeek(date)]} ${formatLongDate(date)}`;
}

/** 0 = Sunday .. 6 = Saturday, computed in UTC so TZ never matters. */
export function dayOfWeek(date: IsoDate): number {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

export function addDays(date: IsoDate, n: number): IsoDate {
  const [y, m, d] = date.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return iso(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/**
 * Today's date in London (the body's calendar), as ISO. `FOI_TODAY=2023-08-10` fixes it (for
 * tests, and for preparing letters dated another day); it must be a real ISO date.
 */
export function todayInLondon(now?: Date): IsoDate {
  if (!now && process.env.FOI_TODAY) {
    const d = parseDate(process.env.FOI_TODAY);
    if (!d.ok) throw new UsageError(`FOI_TODAY "${process.env.FOI_TODAY}": ${d.reason}`);
    return d.date;
  }
  return londonDate((now ?? new Date()).getTime());
}
