/**
 * `foi log show`: one request in words (and as JSON): its facts, where its clock stands, its
 * review and ICO complaint, and its history with what each correction superseded. Pure.
 */
import { formatLongDate, formatLongDateWithWeekday } from '../core/dates.js';
import { explainClock, icoSentence, reviewSentence, statusSentence, summariseClock } from './explain.js';
import type { LogEntry } from './requests.js';
import { REGIME_NAMES } from './values.js';

export function showLines(e: LogEntry, opts: { explain: boolean; redact?: boolean }): string[] {
  const r = e.request;
  const c = e.clock;
  const lines: string[] = [`${r.reference} (${REGIME_NAMES[r.regime]})`];
  const field = (name: string, value: string) => lines.push(`${`${name}:`.padEnd(11)} ${value}`);
  field('received', formatLongDateWithWeekday(r.received));
  const who = [r.requesterName, r.requesterEmail ? `<${r.requesterEmail}>` : null].filter(Boolean).join(' ');
  const requester = [who, r.requesterAddress.join(', ')].filter(Boolean).join('; ');
  if (opts.redact) field('requester', '(left out: --redact)');
  else if (requester) field('requester', requester);
  else if (r.purgedAt) field('requester', `(personal data removed ${r.purgedAt.slice(0, 10)} by foi log purge)`);
  else field('requester', '(not recorded)');
  if (r.wording && !opts.redact) field('wording', r.wording.replace(/\s*\n\s*/g, ' / '));
  field('status', statusSentence(c));
  if (c.due) field('due', formatLongDateWithWeekday(c.due) + (c.extension?.permitted ? ` (extended from ${formatLongDate(c.baseDue!)})` : ''));
  if (c.review) field('review', reviewSentence(c.review));
  if (c.ico) field('ICO', icoSentence(c.ico));
  lines.push('history:');
  for (const h of e.history) {
    const note = h.status === 'superseded' ? ` [superseded by #${h.by}]` : h.status === 'voided' ? ` [voided by #${h.by}]` : '';
    lines.push(`  #${h.event.id} ${h.summary}${note} (recorded ${h.event.recordedAt.slice(0, 16).replace('T', ' ')} UTC by foi ${h.event.command})`);
  }
  if (opts.explain) {
    lines.push('clock:');
    for (const l of explainClock(c)) lines.push(`  ${l}`);
  } else if (c.warnings.length) {
    lines.push('warnings:');
    for (const w of c.warnings) lines.push(`  ${w}`);
  }
  return lines;
}

export function showJson(e: LogEntry, opts: { explain: boolean; redact: boolean }): unknown {
  const r = e.request;
  const { trace, ...clock } = e.clock;
  return {
    reference: r.reference,
    regime: r.regime,
    received: r.received,
    ...(opts.redact ? {} : { requester: { name: r.requesterName, email: r.requesterEmail, address: r.requesterAddress }, wording: r.wording }),
    personalDataRemovedAt: r.purgedAt,
    clock: { ...clock, summary: summariseClock(e.clock), ...(opts.explain ? { trace } : {}) },
    history: e.history.map((h) => ({
      id: h.event.id, kind: h.event.kind, date: h.event.date, details: h.event.details, recordedAt: h.event.recordedAt,
      command: `foi ${h.event.command}`, status: h.status, by: h.by, summary: h.summary,
    })),
  };
}
