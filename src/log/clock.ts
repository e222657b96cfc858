/**
 * The statutory clock of one request, from its receipt date, regime and events. Pure: no
 * database, no console; "today" is an input. Working days are the UK-wide s.10(6) calendar of
 * src/deadline/working-days.ts (weekends, Christmas Day, Good Friday and bank holidays in any part
 * of the UK); nothing here knows a holiday of its own.
 *
 * The rules (FOIA s.1(3), s.9, s.10; EIR reg 5(2), 7(1), 8, 9(4), 11; s.45 Code of Practice):
 * - 20 working days; day 0 is the day of receipt, day 1 the first working day after it.
 * - Clarification restarts the count: while the body waits it need not comply, and once the
 *   clarification arrives that day is day 0 again (a restart, not a pause).
 * - Fees: the working days from the day the fees notice is given to the day the fee is received,
 *   both included, are disregarded (s.10(2)). The same rule is applied to an EIR advance-payment
 *   notice (reg 8).
 * - Public interest extension (FOIA s.10(3)): the officer sets the new date. It is permitted when
 *   the s.17 notice went out within the 20 working days; more than 20 extra working days is
 *   flagged (ICO guidance), not refused.
 * - EIR complex and voluminous (reg 7(1)): 40 working days instead of 20, when the applicant was
 *   told within the 20.
 * - Internal review: due 20 working days after it is received, 40 in complex cases (s.45 Code of
 *   Practice); EIR reconsideration is due in 40 (reg 11(4)). A review asked for more than 40
 *   working days after the response is flagged as late.
 */
import { addDays, formatLongDate, formatLongDateWithWeekday, type IsoDate } from '../core/dates.js';
import { computeDeadline, nonWorkingReason, workingDaysBetween } from '../deadline/working-days.js';
import { isAnswered, OUTCOME_LABELS, type IcoOutcome, type Outcome, type Regime, type ReviewOutcome } from './values.js';

export type ClockEvent =
  | { kind: 'clarify'; date: IsoDate }
  | { kind: 'clarified'; date: IsoDate }
  | { kind: 'fee'; date: IsoDate }
  | { kind: 'paid'; date: IsoDate }
  /** date: the day the s.17 notice saying more time is needed was sent. */
  | { kind: 'extend-pit'; date: IsoDate; until: IsoDate; exemption: string }
  /** date: the day the applicant was told the request is complex and voluminous. */
  | { kind: 'extend-eir'; date: IsoDate }
  | { kind: 'close'; date: IsoDate; outcome: Outcome; exemptions: string[] }
  | { kind: 'review'; date: IsoDate; complex: boolean }
  | { kind: 'review-close'; date: IsoDate; outcome: ReviewOutcome }
  | { kind: 'ico'; date: IsoDate; caseRef: string | null }
  | { kind: 'ico-close'; date: IsoDate; outcome: IcoOutcome };

export interface ClockInput {
  received: IsoDate;
  regime: Regime;
  /** The events in force (voided and superseded ones already removed), in the order recorded. */
  events: ClockEvent[];
  today: IsoDate;
  /** Build the day-by-day trace for --explain (default true); listings and statistics skip it. */
  trace?: boolean;
}

export type TraceKind = 'received' | 'counted' | 'extension' | 'late' | 'not-working' | 'awaiting-clarification' | 'fee' | 'restart' | 'event' | 'today';

/** One line of `foi log show --explain`: `label: Weekday 1 January 2026 (detail)`. */
export interface TraceLine {
  date: IsoDate;
  kind: TraceKind;
  /** The working day's number in the count (1..40), or null. */
  day: number | null;
  label: string;
  detail: string | null;
}

export type State = 'open' | 'awaiting-clarification' | 'awaiting-fee' | 'closed';
export type Timeliness = 'in-time' | 'in-extension' | 'late' | 'not-counted';
export type Flag = 'overdue' | 'due-soon';

export interface Extension {
  kind: 'pit' | 'eir';
  /** When the applicant was told (the s.17 notice; the reg 7(2) notice). */
  notice: IsoDate;
  until: IsoDate;
  /** The exemption whose public interest test needs the time (PIT only). */
  exemption: string | null;
  /** Notice within the 20 working days of the count in force, and a date after the 20th day. */
  permitted: boolean;
  /** Working days after the 20th working day. */
  extraWorkingDays: number;
}

export interface ReviewClock {
  received: IsoDate;
  complex: boolean;
  workingDays: number;
  due: IsoDate;
  /** Working days from the response to the review request, when both are known. */
  afterResponse: number | null;
  requestedLate: boolean;
  closed: { on: IsoDate; outcome: ReviewOutcome; inTime: boolean } | null;
  daysLeft: number | null;
  flag: Flag | null;
}

export interface IcoClock {
  received: IsoDate;
  caseRef: string | null;
  closed: { on: IsoDate; outcome: IcoOutcome } | null;
}

export interface Clock {
  regime: Regime;
  received: IsoDate;
  today: IsoDate;
  /** Day 0 of the count in force: the receipt, or the day the last clarification arrived. */
  start: IsoDate;
  restartedOn: IsoDate | null;
  state: State;
  /** When the request went on hold (clarification asked, fees notice given), if it is on hold. */
  onHoldSince: IsoDate | null;
  /** Outstanding at the end of the count: a clarification asked for, a fees notice unpaid. */
  pending: { clarificationAskedOn: IsoDate | null; feeNoticeOn: IsoDate | null };
  /** The 20th working day of the count in force (null while on hold before it is reached). */
  baseDue: IsoDate | null;
  /** The due date in force: the permitted extension's date, else baseDue. */
  due: IsoDate | null;
  /** Working days disregarded for fees (s.10(2)) in the count in force. */
  feeDays: number;
  extension: Extension | null;
  closed: { on: IsoDate; outcome: Outcome; exemptions: string[]; timeliness: Timeliness; workingDaysLate: number } | null;
  /** Working days from today to the due date; negative when overdue; null when closed or on hold. */
  daysLeft: number | null;
  flag: Flag | null;
  review: ReviewClock | null;
  ico: IcoClock | null;
  warnings: string[];
  trace: TraceLine[];
}

/** Due within this many working days is "due soon" in `foi log list`. */
export const DUE_SOON_WORKING_DAYS = 5;
/** ICO guidance: a public interest extension should not exceed 20 further working days. */
export const PIT_GUIDE_WORKING_DAYS = 20;
/** A review asked for more than this many working days after the response is late. */
export const REVIEW_REQUEST_WORKING_DAYS = 40;

const REQUEST_KINDS = new Set<ClockEvent['kind']>(['clarify', 'clarified', 'fee', 'paid', 'extend-pit', 'extend-eir', 'close']);
const MAX_CALENDAR_DAYS = 3660;
/** Late or overdue working days listed one by one in the trace before the rest are summed up. */
const LATE_LINES = 10;

function lastOf<K extends ClockEvent['kind']>(events: ClockEvent[], kind: K): Extract<ClockEvent, { kind: K }> | null {
  for (let i = events.length - 1; i >= 0; i--) if (events[i].kind === kind) return events[i] as Extract<ClockEvent, { kind: K }>;
  return null;
}

function law(regime: Regime) {
  return regime === 'foi'
    ? { due: 's.10(1)', clarify: 's.1(3)', fee: 's.10(2)', feeNotice: 'fees notice (s.9)', lapse: 'three months (s.9(2))' }
    : { due: 'reg 5(2)', clarify: 'reg 9(4)', fee: 'reg 8', feeNotice: 'advance payment notice (reg 8)', lapse: '60 working days (reg 8(6))' };
}

export function computeClock(input: ClockInput): Clock {
  const { received, regime, today } = input;
  const L = law(regime);
  // Date order; the order recorded breaks ties (a clarification asked and received the same day).
  const events = input.events.map((e, i) => ({ e, i })).sort((a, b) => (a.e.date < b.e.date ? -1 : a.e.date > b.e.date ? 1 : a.i - b.i)).map((x) => x.e);
  const requestEvents = events.filter((e) => REQUEST_KINDS.has(e.kind));
  const close = lastOf(events, 'close');
  const pit = regime === 'foi' ? lastOf(events, 'extend-pit') : null;
  const eirExt = regime === 'eir' ? lastOf(events, 'extend-eir') : null;
  const feePeriods: { from: IsoDate; to: IsoDate | null }[] = [];
  for (const e of requestEvents) {
    if (e.kind === 'fee') feePeriods.push({ from: e.date, to: null });
    else if (e.kind === 'paid') {
      const open = [...feePeriods].reverse().find((p) => p.to === null);
      if (open) open.to = e.date;
    }
  }
  const end = close ? close.date : today;
  const warnings: string[] = [];
  const trace: TraceLine[] = [];
  const tracing = input.trace !== false;
  const emit = (line: TraceLine) => {
    if (tracing) trace.push(line);
  };
  // Past the due date only the first LATE_LINES late working days get a line each; the rest one line.
  let lateK = 0;
  let tail: { from: IsoDate; to: IsoDate } | null = null;
  const lastEventDate = requestEvents.length ? requestEvents[requestEvents.length - 1].date : received;

  let start = received;
  let restartedOn: IsoDate | null = null;
  let n = 0;
  let waitingSince: IsoDate | null = null;
  let fee: { from: IsoDate; to: IsoDate | null } | null = null;
  let feeDays = 0;
  let baseDue: IsoDate | null = null;
  let due: IsoDate | null = null;
  let extension: Extension | null = null;
  const byDate = new Map<IsoDate, ClockEvent[]>();
  for (const e of requestEvents) {
    const d = e.date < received ? received : e.date;
    if (e.date < received) warnings.push(`the ${describeKind(e.kind)} of ${formatLongDate(e.date)} is dated before the request was received (${formatLongDate(received)})`);
    const list = byDate.get(d);
    if (list) list.push(e);
    else byDate.set(d, [e]);
  }

  /** Decides the due date in force once the 20th working day is known. */
  const settleDue = () => {
    extension = null;
    due = baseDue;
    if (!baseDue) return;
    if (pit) {
      const permitted = pit.date >= start && pit.date <= baseDue && pit.until > baseDue;
      extension = { kind: 'pit', notice: pit.date, until: pit.until, exemption: pit.exemption, permitted, extraWorkingDays: pit.until > baseDue ? workingDaysBetween(baseDue, pit.until) : 0 };
      if (permitted) due = pit.until;
    } else if (eirExt) {
      const permitted = eirExt.date >= start && eirExt.date <= baseDue;
      extension = { kind: 'eir', notice: eirExt.date, until: '', exemption: null, permitted, extraWorkingDays: 20 };
      // `until` and `due` are set when the 40th working day is reached.
      if (permitted) due = null;
    }
  };

  let closingLine: TraceLine | null = null;
  /** Applies one event on its day; returns how the day itself is to be treated. */
  const apply = (e: ClockEvent, date: IsoDate): 'restart' | 'hold' | 'fee' | null => {
    const line = (label: string, detail: string | null) => emit({ date, kind: 'event', day: null, label, detail });
    switch (e.kind) {
      case 'clarify':
        if (baseDue && date > baseDue && !close) warnings.push(`clarification was asked for on ${formatLongDate(date)}, after the due date (${formatLongDate(baseDue)}); ask within the 20 working days`);
        waitingSince = waitingSince ?? date;
        line('clarification asked', `${L.clarify}: the body need not comply until it arrives; the count stops`);
        return 'hold';
      case 'clarified':
        waitingSince = null;
        start = date;
        restartedOn = date;
        n = 0;
        lateK = 0;
        tail = null;
        baseDue = null;
        due = null;
        extension = null;
        feeDays = 0;
        return 'restart';
      case 'fee': {
        fee = feePeriods.find((p) => p.from === date) ?? { from: date, to: null };
        if (due && date > due) warnings.push(`the ${L.feeNotice} of ${formatLongDate(date)} was given after the due date (${formatLongDate(due)})`);
        line(L.feeNotice.replace(/ \(.*\)$/, '') + ' given', `working days from today until the fee is received are disregarded, ${L.fee}`);
        return 'fee';
      }
      case 'paid':
        line('fee received', `today is the last disregarded day, ${L.fee}`);
        return 'fee';
      case 'extend-pit':
        line('s.17 notice: more time to consider the public interest', `s.10(3), section ${e.exemption}; new date ${formatLongDate(e.until)}`);
        return null;
      case 'extend-eir':
        line('applicant told the request is complex and voluminous', 'reg 7(1): 40 working days instead of 20');
        return null;
      case 'close':
        // Written after the day's own line: the answer goes out during the day.
        closingLine = { date, kind: 'event', day: null, label: isAnswered(e.outcome) ? 'answered' : 'closed', detail: OUTCOME_LABELS[e.outcome] };
        return null;
      default:
        return null;
    }
  };

  const receivedReason = nonWorkingReason(received);
  emit({ date: received, kind: 'received', day: 0, label: 'received', detail: receivedReason ? `day 0; not a working day: ${describeReason(receivedReason)}` : 'day 0' });
  const feeOpen = () => fee !== null && (fee as { to: IsoDate | null }).to === null;
  let date = received;
  for (let steps = 0; ; steps++) {
    if (steps > 0) {
      const onHold = waitingSince !== null || feeOpen();
      const settled = onHold || (due !== null && date >= due);
      if (settled && (date >= end || (!tracing && date >= lastEventDate))) break;
      if (!settled && steps > MAX_CALENDAR_DAYS) throw new Error(`no due date within ${MAX_CALENDAR_DAYS} days of ${received}`);
      date = addDays(date, 1);
    }
    let treat: 'restart' | 'hold' | 'fee' | null = null;
    for (const e of byDate.get(date) ?? []) {
      const t = apply(e, date);
      if (t === 'restart' || (t && treat !== 'restart')) treat = t;
    }
    const inTail = lateK >= LATE_LINES;
    if (steps > 0 && date === today && !close && !inTail) emit({ date, kind: 'today', day: null, label: 'today', detail: null });
    const reason = nonWorkingReason(date);
    if (treat === 'restart') {
      emit({
        date, kind: 'restart', day: 0, label: 'clarification received',
        detail: `day 0 again: the 20 working days start afresh from the next working day, ${L.clarify}${reason ? `; not a working day: ${describeReason(reason)}` : ''}`,
      });
    } else if (steps === 0) {
      // The day of receipt is day 0 whatever happens on it.
    } else if (reason) {
      if (!inTail) emit({ date, kind: 'not-working', day: null, label: 'not counted', detail: describeReason(reason) });
    } else if (waitingSince) {
      emit({ date, kind: 'awaiting-clarification', day: null, label: 'not counted', detail: `awaiting clarification asked for on ${formatLongDate(waitingSince)}` });
    } else if (fee && due === null) {
      // Only days before the due date in force can be disregarded: a late fees notice does not stop a clock that has run out.
      feeDays++;
      const f: { from: IsoDate; to: IsoDate | null } = fee;
      emit({ date, kind: 'fee', day: null, label: 'disregarded', detail: `fee period: notice given ${formatLongDate(f.from)}, ${f.to ? `fee received ${formatLongDate(f.to)}` : 'fee not yet received'}; ${L.fee}` });
    } else {
      n++;
      const ext = extension as Extension | null;
      if (n <= 20) {
        if (n === 20) {
          baseDue = date;
          settleDue();
        }
        emit({ date, kind: 'counted', day: n, label: `day ${n}`, detail: n === 20 ? `the 20th working day, ${L.due}` : null });
      } else if (ext?.kind === 'eir' && ext.permitted && n <= 40) {
        if (n === 40) {
          ext.until = date;
          due = date;
        }
        emit({ date, kind: 'extension', day: n, label: `day ${n}`, detail: n === 40 ? 'the 40th working day, reg 7(1)' : 'extended to 40 working days, reg 7(1)' });
      } else if (ext?.kind === 'pit' && ext.permitted && date <= ext.until) {
        emit({ date, kind: 'extension', day: n, label: `extension day ${n - 20}`, detail: `public interest extension to ${formatLongDate(ext.until)}, s.10(3)` });
      } else {
        lateK++;
        if (lateK <= LATE_LINES) emit({ date, kind: 'late', day: n, label: close ? 'late' : 'overdue', detail: `working day ${lateK} after the due date` });
        else tail = { from: (tail as { from: IsoDate } | null)?.from ?? date, to: date };
      }
    }
    if (closingLine) emit(closingLine);
    closingLine = null;
    if (fee && (fee as { to: IsoDate | null }).to === date) fee = null;
  }
  if (tail) {
    const t: { from: IsoDate; to: IsoDate } = tail;
    emit({
      date: t.from, kind: 'late', day: null, label: close ? 'late' : 'overdue',
      detail: `and every working day after it to ${formatLongDateWithWeekday(t.to)}: working days ${LATE_LINES + 1} to ${lateK} after the due date`,
    });
  }

  // The state on `end` (today, or the day it was closed).
  const onHold = waitingSince !== null ? 'awaiting-clarification' : feeOpen() ? 'awaiting-fee' : null;
  let state: State = close ? 'closed' : onHold ?? 'open';
  let onHoldSince: IsoDate | null = null;
  if (!close && onHold) onHoldSince = onHold === 'awaiting-clarification' ? waitingSince : (fee as { from: IsoDate } | null)?.from ?? null;
  // A fees notice given after the due date does not stop a clock that has run out.
  if (state === 'awaiting-fee' && due && onHoldSince && onHoldSince > due) state = 'open';
  if (state === 'open') onHoldSince = null;

  const ext = extension as Extension | null;
  if (ext && baseDue) {
    if (ext.kind === 'pit') {
      if (ext.until <= baseDue) warnings.push(`the public interest extension date (${formatLongDate(ext.until)}) is not after the 20th working day (${formatLongDate(baseDue)}); it has no effect`);
      else if (ext.notice < start) warnings.push(`the s.17 notice of ${formatLongDate(ext.notice)} predates the clarification received on ${formatLongDate(start)}; record the extension again if it still applies`);
      else if (ext.notice > baseDue) warnings.push(`the s.17 notice was sent on ${formatLongDate(ext.notice)}, after the 20th working day (${formatLongDate(baseDue)}): the extension is not a permitted one (s.17(1)), so the request is due on ${formatLongDate(baseDue)}`);
      if (ext.permitted && ext.extraWorkingDays > PIT_GUIDE_WORKING_DAYS) {
        warnings.push(`the public interest extension is ${ext.extraWorkingDays} working days beyond the 20th working day; the ICO expects no more than ${PIT_GUIDE_WORKING_DAYS}`);
      }
    } else if (!ext.permitted) {
      warnings.push(ext.notice < start
        ? `the complex-and-voluminous notice of ${formatLongDate(ext.notice)} predates the clarification received on ${formatLongDate(start)}; record it again if it still applies`
        : `the applicant was told of the extension on ${formatLongDate(ext.notice)}, after the 20th working day (${formatLongDate(baseDue)}): reg 7(2) requires notice within the 20 working days, so the request is due on ${formatLongDate(baseDue)}`);
    }
  }

  let closed: Clock['closed'] = null;
  if (close) {
    let timeliness: Timeliness = 'not-counted';
    let workingDaysLate = 0;
    // Answered while on hold (the clock stopped before its 20th day) is in time.
    if (isAnswered(close.outcome)) {
      if (!baseDue || close.date <= baseDue) timeliness = 'in-time';
      else if (!due || close.date <= due) timeliness = 'in-extension';
      else {
        timeliness = 'late';
        workingDaysLate = workingDaysBetween(due, close.date);
      }
    }
    closed = { on: close.date, outcome: close.outcome, exemptions: [...close.exemptions], timeliness, workingDaysLate };
  }

  let daysLeft: number | null = null;
  let flag: Flag | null = null;
  if (state === 'open' && due) {
    daysLeft = workingDaysBetween(today, due);
    flag = today > due ? 'overdue' : daysLeft <= DUE_SOON_WORKING_DAYS ? 'due-soon' : null;
  }
  if (state === 'awaiting-fee' && onHoldSince) {
    warnings.push(`awaiting the fee since ${formatLongDate(onHoldSince)}; if it is not paid within ${L.lapse} the body need not comply: close it as lapsed`);
  }

  const review = reviewClock(events, regime, today, closed?.on ?? null, warnings);
  const icoEvent = lastOf(events, 'ico');
  const icoClose = icoEvent ? events.filter((e): e is Extract<ClockEvent, { kind: 'ico-close' }> => e.kind === 'ico-close' && e.date >= icoEvent.date).pop() ?? null : null;
  const ico: IcoClock | null = icoEvent ? { received: icoEvent.date, caseRef: icoEvent.caseRef, closed: icoClose ? { on: icoClose.date, outcome: icoClose.outcome } : null } : null;

  return {
    regime, received, today, start, restartedOn, state, onHoldSince,
    pending: { clarificationAskedOn: waitingSince, feeNoticeOn: feeOpen() ? (fee as { from: IsoDate } | null)?.from ?? null : null },
    baseDue, due, feeDays, extension: ext, closed,
    daysLeft, flag, review, ico, warnings, trace,
  };
}

function reviewClock(events: ClockEvent[], regime: Regime, today: IsoDate, respondedOn: IsoDate | null, warnings: string[]): ReviewClock | null {
  const review = lastOf(events, 'review');
  if (!review) return null;
  // EIR reconsideration is due in 40 working days (reg 11(4)); FOI reviews in 20, 40 when complex.
  const workingDays = regime === 'eir' || review.complex ? 40 : 20;
  const due = computeDeadline(review.date, { workingDays }).due;
  const afterResponse = respondedOn && respondedOn <= review.date ? workingDaysBetween(respondedOn, review.date) : null;
  const requestedLate = afterResponse !== null && afterResponse > REVIEW_REQUEST_WORKING_DAYS;
  if (requestedLate) {
    warnings.push(`the internal review was asked for ${afterResponse} working days after the response of ${formatLongDate(respondedOn!)}, more than ${REVIEW_REQUEST_WORKING_DAYS}: it is late, and the body may decline it`);
  }
  if (!respondedOn) warnings.push(`an internal review was asked for on ${formatLongDate(review.date)} but no response is recorded`);
  const rc = events.filter((e): e is Extract<ClockEvent, { kind: 'review-close' }> => e.kind === 'review-close' && e.date >= review.date).pop() ?? null;
  const closed = rc ? { on: rc.date, outcome: rc.outcome, inTime: rc.date <= due } : null;
  let daysLeft: number | null = null;
  let flag: Flag | null = null;
  if (!closed) {
    daysLeft = workingDaysBetween(today, due);
    flag = today > due ? 'overdue' : daysLeft <= DUE_SOON_WORKING_DAYS ? 'due-soon' : null;
  }
  return { received: review.date, complex: review.complex, workingDays, due, afterResponse, requestedLate, closed, daysLeft, flag };
}

function describeReason(reason: string): string {
  return reason === 'Saturday' || reason === 'Sunday' ? 'weekend' : reason;
}

export function describeKind(kind: ClockEvent['kind']): string {
  switch (kind) {
    case 'clarify': return 'request for clarification';
    case 'clarified': return 'clarification';
    case 'fee': return 'fees notice';
    case 'paid': return 'fee payment';
    case 'extend-pit': return 'public interest extension';
    case 'extend-eir': return 'EIR extension';
    case 'close': return 'response';
    case 'review': return 'internal review';
    case 'review-close': return 'review decision';
    case 'ico': return 'ICO complaint';
    case 'ico-close': return 'ICO decision';
  }
}
