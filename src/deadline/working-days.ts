/**
 * FOIA s.10 working days and the 20-working-day deadline.
 *
 * s.10(1): answer "not later than the twentieth working day following the date of receipt".
 * The day of receipt is day 0; day 1 is the first working day after it, whatever day the
 * request arrived (a request received on a Saturday has Monday, if a working day, as day 1).
 * s.10(6): a working day is any day other than a Saturday, a Sunday, Christmas Day, Good Friday
 * or a day which is a bank holiday under the Banking and Financial Dealings Act 1971 in ANY part
 * of the United Kingdom, so Scottish and Northern Irish holidays stop the count everywhere.
 * s.10(2): the working days from the day a fees notice is given to the day the fee is received
 * (both included) are disregarded: pass them as `pauses`.
 *
 * Only ISO strings and UTC arithmetic (core/dates), so the machine's time zone never matters.
 */
import { addDays, dayOfWeek, formatLongDate, formatLongDateWithWeekday, isValidYmd, type IsoDate } from '../core/dates.js';
import { UsageError } from '../core/errors.js';
import { assertCovered, DIVISION_NAMES, DIVISIONS, holidaysOn, type Division } from './bank-holidays.js';

export interface SkippedDay {
  date: string;
  /** "Saturday", "Sunday", "Christmas Day", "Good Friday",
   *  "bank holiday in England and Wales, Northern Ireland: Easter Monday",
   *  "fees notice: paused from 6 January 2026 to 9 January 2026" */
  reason: string;
}

export interface DeadlineResult {
  received: string;
  due: string;
  workingDays: number;
  counted: { n: number; date: string }[];
  skipped: SkippedDay[];
}

export interface Pause {
  /** The day the fees notice was given (not counted). */
  from: string;
  /** The day the fee was received (not counted). */
  to: string;
}

export interface DeadlineOptions {
  /** Working days allowed; 20 under s.10(1). */
  workingDays?: number;
  /** Fees-notice periods (s.10(2)); working days inside them, ends included, are not counted. */
  pauses?: Pause[];
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function requireIso(value: string, what: string): IsoDate {
  const m = typeof value === 'string' ? ISO_RE.exec(value) : null;
  if (!m || !isValidYmd(+m[1], +m[2], +m[3])) {
    throw new UsageError(`${what}: "${String(value)}" is not a date in the form YYYY-MM-DD`);
  }
  return value;
}

/**
 * Why `date` is not a working day under s.10(6), or null if it is one.
 * Weekends first, then Christmas Day and Good Friday (named in s.10(6) itself), then bank
 * holidays, grouped by title across divisions.
 */
export function nonWorkingReason(date: string): string | null {
  requireIso(date, 'date');
  assertCovered(date);
  const w = dayOfWeek(date);
  if (w === 6) return 'Saturday';
  if (w === 0) return 'Sunday';
  if (date.slice(5) === '12-25') return 'Christmas Day';
  const holidays = holidaysOn(date);
  if (holidays.length === 0) return null;
  if (holidays.some((h) => h.title === 'Good Friday')) return 'Good Friday';
  const byTitle = new Map<string, Division[]>();
  for (const h of holidays) {
    const list = byTitle.get(h.title);
    if (list) list.push(h.division);
    else byTitle.set(h.title, [h.division]);
  }
  return [...byTitle]
    .map(([title, divs]) => {
      const names = DIVISIONS.filter((d) => divs.includes(d)).map((d) => DIVISION_NAMES[d]);
      return `bank holiday in ${names.join(', ')}: ${title}`;
    })
    .join('; ');
}

export function isWorkingDay(date: string): boolean {
  return nonWorkingReason(date) === null;
}

/** A date well past any real deadline: guards the loop if something is badly wrong. */
const MAX_CALENDAR_DAYS = 3660;

export function computeDeadline(received: string, opts: DeadlineOptions = {}): DeadlineResult {
  requireIso(received, 'date of receipt');
  assertCovered(received);
  const workingDays = opts.workingDays ?? 20;
  if (!Number.isInteger(workingDays) || workingDays < 1) {
    throw new UsageError(`working days: expected a whole number of at least 1, got ${workingDays}`);
  }
  const pauses = (opts.pauses ?? []).map((p, i) => {
    const from = requireIso(p.from, `pause ${i + 1} start`);
    const to = requireIso(p.to, `pause ${i + 1} end`);
    if (to < from) throw new UsageError(`pause ${i + 1}: ends (${to}) before it starts (${from})`);
    return { from, to };
  });
  const pausedBy = (date: IsoDate) => pauses.find((p) => p.from <= date && date <= p.to);

  const counted: { n: number; date: string }[] = [];
  const skipped: SkippedDay[] = [];
  let date: IsoDate = received;
  for (let steps = 0; counted.length < workingDays; steps++) {
    if (steps > MAX_CALENDAR_DAYS) throw new UsageError(`no deadline within ${MAX_CALENDAR_DAYS} days of ${received}`);
    date = addDays(date, 1);
    const reason = nonWorkingReason(date);
    if (reason) {
      skipped.push({ date, reason });
      continue;
    }
    const pause = pausedBy(date);
    if (pause) {
      skipped.push({ date, reason: `fees notice: paused from ${formatLongDate(pause.from)} to ${formatLongDate(pause.to)}` });
      continue;
    }
    counted.push({ n: counted.length + 1, date });
  }
  return { received, due: date, workingDays, counted, skipped };
}

/**
 * Working days after `from` up to and including `to` (no pauses). 0 when they are equal;
 * negative, mirrored, when `to` is before `from` (so "days left" can go below zero).
 */
export function workingDaysBetween(from: string, to: string): number {
  requireIso(from, 'from');
  requireIso(to, 'to');
  if (to < from) return -workingDaysBetween(to, from);
  assertCovered(from);
  assertCovered(to);
  let n = 0;
  for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (isWorkingDay(d)) n++;
  return n;
}

function ordinal(n: number): string {
  const rem100 = n % 100;
  if (rem100 >= 11 && rem100 <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

function describe(reason: string): string {
  return reason === 'Saturday' || reason === 'Sunday' ? 'weekend' : reason;
}

/**
 * Lines for `foi deadline DATE --explain`: receipt (day 0), then each day in order, counted
 * (`day 1: Tuesday 16 December 2025`) or not counted with its reason, then the due date.
 */
export function explainDeadline(result: DeadlineResult): string[] {
  const lines: string[] = [];
  const receivedReason = nonWorkingReason(result.received);
  lines.push(
    `received: ${formatLongDateWithWeekday(result.received)} (day 0` +
      (receivedReason ? `; not a working day: ${describe(receivedReason)}` : '') +
      ')',
  );
  const rows: { date: string; line: string }[] = [
    ...result.counted.map((c) => ({ date: c.date, line: `day ${c.n}: ${formatLongDateWithWeekday(c.date)}` })),
    ...result.skipped.map((s) => ({ date: s.date, line: `not counted: ${formatLongDateWithWeekday(s.date)} (${describe(s.reason)})` })),
  ].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  for (const r of rows) lines.push(r.line);
  lines.push(
    `due: ${formatLongDateWithWeekday(result.due)}, the ${ordinal(result.workingDays)} working day after receipt on ${formatLongDate(result.received)}`,
  );
  return lines;
}
