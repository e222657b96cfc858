/**
 * `foi log list`: the officer's queue. One row per request, sorted by the deadline that matters
 * now: the request's due date while it is open, its internal review's once it is answered and
 * under review. Pure: takes log entries, returns rows.
 */
import type { IsoDate } from '../core/dates.js';
import type { Flag } from './clock.js';
import type { LogEntry } from './requests.js';
import { OUTCOME_LABELS, type Outcome, type Regime } from './values.js';

export interface QueueRow {
  reference: string;
  regime: Regime;
  received: IsoDate;
  /** The live deadline (request, or open review), else the request's statutory due date. */
  due: IsoDate | null;
  /** Working days from today to `due` (negative when overdue); null when nothing is pending. */
  workingDaysLeft: number | null;
  status: string;
  state: 'open' | 'awaiting-clarification' | 'awaiting-fee' | 'review' | 'closed';
  flag: Flag | null;
  outcome: Outcome | null;
  responded: IsoDate | null;
  requester: { name: string | null; email: string | null; address: string[] };
}

export interface QueueFilter {
  /** Not yet answered, or under internal review. */
  open?: boolean;
  overdue?: boolean;
  /** Live deadline on or before this date. */
  dueBefore?: IsoDate | null;
}

export function queueRow(e: LogEntry): QueueRow {
  const c = e.clock;
  const r = e.request;
  const base = {
    reference: r.reference, regime: r.regime, received: r.received, outcome: c.closed?.outcome ?? null, responded: c.closed?.on ?? null,
    requester: { name: r.requesterName, email: r.requesterEmail, address: r.requesterAddress },
  };
  if (c.state === 'open') {
    const ext = c.extension?.permitted ? (c.extension.kind === 'pit' ? ' (extended, s.10(3))' : ' (40 working days, reg 7)') : '';
    return { ...base, due: c.due, workingDaysLeft: c.daysLeft, status: `${c.flag === 'overdue' ? 'overdue' : 'open'}${ext}`, state: 'open', flag: c.flag };
  }
  if (c.state === 'awaiting-clarification' || c.state === 'awaiting-fee') {
    return { ...base, due: null, workingDaysLeft: null, status: c.state === 'awaiting-fee' ? 'on hold: awaiting fee' : 'on hold: awaiting clarification', state: c.state, flag: null };
  }
  if (c.review && !c.review.closed) {
    return { ...base, due: c.review.due, workingDaysLeft: c.review.daysLeft, status: `internal review${c.review.flag === 'overdue' ? ' overdue' : ''}`, state: 'review', flag: c.review.flag };
  }
  const closed = c.closed!;
  const late = closed.timeliness === 'late' ? ' (late)' : closed.timeliness === 'in-extension' ? ' (in extension)' : '';
  return { ...base, due: c.due, workingDaysLeft: null, status: `closed: ${OUTCOME_LABELS[closed.outcome]}${late}`, state: 'closed', flag: null };
}

export function buildQueue(entries: LogEntry[], f: QueueFilter = {}): QueueRow[] {
  const live = (row: QueueRow) => row.state !== 'closed';
  return entries
    .map(queueRow)
    .filter((row) => (!f.open || live(row)) && (!f.overdue || row.flag === 'overdue')
      && (!f.dueBefore || (live(row) && row.due !== null && row.due <= f.dueBefore)))
    .sort((a, b) => cmp(a.due ?? '9999-99-99', b.due ?? '9999-99-99') || cmp(a.received, b.received) || cmp(a.reference, b.reference));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
