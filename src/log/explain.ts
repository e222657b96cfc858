/**
 * The clock in words: `foi log show --explain` (every day, then the due date and where the request
 * stands) and the one-line sentences the log commands print. Pure.
 */
import { formatLongDate, formatLongDateWithWeekday } from '../core/dates.js';
import type { Clock, IcoClock, ReviewClock } from './clock.js';
import { ICO_OUTCOME_LABELS, OUTCOME_LABELS, REVIEW_OUTCOME_LABELS } from './values.js';

/** One line per day and event, then the due date and where the request stands. */
export function explainClock(c: Clock): string[] {
  const lines = c.trace.map((t) => (t.kind === 'today'
    ? `-- today: ${formatLongDateWithWeekday(t.date)} --`
    : `${t.label}: ${formatLongDateWithWeekday(t.date)}${t.detail ? ` (${t.detail})` : ''}`));
  lines.push(...summariseClock(c));
  return lines;
}

/** The due date, how it was reached, and where the request stands, in sentences. */
export function summariseClock(c: Clock): string[] {
  const out: string[] = [];
  const from = c.restartedOn ? `the clarification received on ${formatLongDate(c.restartedOn)}` : `receipt on ${formatLongDate(c.received)}`;
  const fees = c.feeDays ? `, with ${c.feeDays} working day${c.feeDays === 1 ? '' : 's'} disregarded for the fee` : '';
  if (c.baseDue) out.push(`20th working day: ${formatLongDateWithWeekday(c.baseDue)}, counted from ${from}${fees}`);
  const ext = c.extension;
  if (ext && ext.permitted && c.due) {
    out.push(ext.kind === 'pit'
      ? `due: ${formatLongDateWithWeekday(c.due)}, extended under s.10(3) by ${ext.extraWorkingDays} working days to consider the public interest (section ${ext.exemption}); the s.17 notice went out on ${formatLongDate(ext.notice)}, within the 20 working days`
      : `due: ${formatLongDateWithWeekday(c.due)}, the 40th working day (reg 7(1): complex and voluminous); the applicant was told on ${formatLongDate(ext.notice)}, within the 20 working days`);
  } else if (c.due) {
    out.push(`due: ${formatLongDateWithWeekday(c.due)}`);
  }
  out.push(statusSentence(c));
  for (const w of c.warnings) out.push(`warning: ${w}`);
  return out;
}

export function statusSentence(c: Clock): string {
  if (c.closed) {
    const o = OUTCOME_LABELS[c.closed.outcome];
    switch (c.closed.timeliness) {
      case 'in-time': return `answered on ${formatLongDate(c.closed.on)} (${o}): in time`;
      case 'in-extension': return `answered on ${formatLongDate(c.closed.on)} (${o}): within the permitted extension`;
      case 'late': return `answered on ${formatLongDate(c.closed.on)} (${o}): late by ${c.closed.workingDaysLate} working day${c.closed.workingDaysLate === 1 ? '' : 's'}`;
      default: return `closed on ${formatLongDate(c.closed.on)}: ${o}`;
    }
  }
  if (c.state === 'awaiting-clarification') return `on hold: awaiting clarification asked for on ${formatLongDate(c.onHoldSince!)} (today is ${formatLongDate(c.today)})`;
  if (c.state === 'awaiting-fee') return `on hold: awaiting the fee (notice given ${formatLongDate(c.onHoldSince!)}; today is ${formatLongDate(c.today)})`;
  if (c.daysLeft === null || !c.due) return 'open';
  if (c.today > c.due) return `open and overdue: due ${formatLongDate(c.due)}, ${-c.daysLeft} working day${c.daysLeft === -1 ? '' : 's'} ago (today is ${formatLongDate(c.today)})`;
  return `open: ${c.daysLeft} working day${c.daysLeft === 1 ? '' : 's'} left on ${formatLongDate(c.today)}`;
}

export function reviewSentence(r: ReviewClock): string {
  const head = `internal review asked for on ${formatLongDate(r.received)}${r.afterResponse !== null ? ` (${r.afterResponse} working days after the response${r.requestedLate ? ': late' : ''})` : ''}, due ${formatLongDate(r.due)} (${r.workingDays} working days${r.complex ? ', complex' : ''})`;
  if (r.closed) return `${head}; decided on ${formatLongDate(r.closed.on)}: ${REVIEW_OUTCOME_LABELS[r.closed.outcome]}, ${r.closed.inTime ? 'in time' : 'late'}`;
  return `${head}; open, ${r.flag === 'overdue' ? `overdue by ${-(r.daysLeft ?? 0)} working days` : `${r.daysLeft} working days left`}`;
}

export function icoSentence(i: IcoClock): string {
  const head = `complaint to the Information Commissioner (s.50) received ${formatLongDate(i.received)}${i.caseRef ? `, case ${i.caseRef}` : ''}`;
  return i.closed ? `${head}; decided ${formatLongDate(i.closed.on)}: ${ICO_OUTCOME_LABELS[i.closed.outcome]}` : `${head}; open`;
}
