/**
 * A request's history, read: which recorded events are in force, which a later event superseded
 * (a second `foi log close` replaces the first; so do extensions, reviews and their decisions)
 * and which were voided (`foi log void`), and the clock events that follow from them. Pure.
 */
import { formatLongDate } from '../core/dates.js';
import { formatMoney } from '../core/money.js';
import type { ClockEvent } from './clock.js';
import type { EventKind, StoredEvent } from './store.js';
import {
  ICO_OUTCOME_LABELS, OUTCOME_LABELS, REGIME_NAMES, REVIEW_OUTCOME_LABELS,
  type IcoOutcome, type Outcome, type Regime, type ReviewOutcome,
} from './values.js';

export type EventStatus = 'in force' | 'superseded' | 'voided';

export interface HistoryEntry {
  event: StoredEvent;
  status: EventStatus;
  /** The event that superseded or voided this one. */
  by: number | null;
  summary: string;
}

/** Kinds where the latest recorded event replaces the earlier ones (a correction by re-running). */
export const LATEST_WINS = new Set<EventKind>(['close', 'extend-pit', 'extend-eir', 'review', 'review-close', 'ico', 'ico-close']);
/** Kinds that can be voided: the ones that move the clock or the outcome. */
export const VOIDABLE = new Set<EventKind>(['clarify', 'clarified', 'fee', 'paid', 'extend-pit', 'extend-eir', 'close', 'review', 'review-close', 'ico', 'ico-close']);

export function resolveHistory(events: StoredEvent[]): { entries: HistoryEntry[]; clockEvents: ClockEvent[] } {
  const voidedBy = new Map<number, number>();
  for (const e of events) if (e.kind === 'void') voidedBy.set(Number(e.details.event), e.id);
  const latest = new Map<EventKind, number>();
  for (const e of events) if (LATEST_WINS.has(e.kind) && !voidedBy.has(e.id)) latest.set(e.kind, e.id);
  const entries = events.map((event): HistoryEntry => {
    const v = voidedBy.get(event.id);
    if (v !== undefined) return { event, status: 'voided', by: v, summary: summarise(event) };
    const l = latest.get(event.kind);
    if (l !== undefined && l !== event.id) return { event, status: 'superseded', by: l, summary: summarise(event) };
    return { event, status: 'in force', by: null, summary: summarise(event) };
  });
  const clockEvents = entries.filter((h) => h.status === 'in force').map((h) => toClockEvent(h.event)).filter((e): e is ClockEvent => e !== null);
  return { entries, clockEvents };
}

function toClockEvent(e: StoredEvent): ClockEvent | null {
  const d = e.details;
  switch (e.kind) {
    case 'clarify': case 'clarified': case 'fee': case 'paid':
      return { kind: e.kind, date: e.date };
    case 'extend-pit':
      return { kind: 'extend-pit', date: e.date, until: String(d.until), exemption: String(d.exemption) };
    case 'extend-eir':
      return { kind: 'extend-eir', date: e.date };
    case 'close':
      return { kind: 'close', date: e.date, outcome: d.outcome as Outcome, exemptions: (d.exemptions as string[] | undefined) ?? [] };
    case 'review':
      return { kind: 'review', date: e.date, complex: d.complex === true };
    case 'review-close':
      return { kind: 'review-close', date: e.date, outcome: d.outcome as ReviewOutcome };
    case 'ico':
      return { kind: 'ico', date: e.date, caseRef: (d.caseRef as string | null | undefined) ?? null };
    case 'ico-close':
      return { kind: 'ico-close', date: e.date, outcome: d.outcome as IcoOutcome };
    default:
      return null;
  }
}

const sections = (list: unknown) => {
  const s = (list as string[] | undefined) ?? [];
  if (!s.length) return '';
  // EIR exceptions are regulations 12 and 13; FOIA exemptions are sections 21 to 44. Regulation
  // 6(1)(b) (already publicly available) is not an exception, and is named apart.
  if (s.every((x) => parseInt(x, 10) < 21)) {
    const exceptions = s.filter((x) => x !== '6(1)(b)');
    const published = s.length > exceptions.length ? '; already publicly available (reg 6(1)(b))' : '';
    return `${exceptions.length ? `; ${exceptions.length === 1 ? 'exception' : 'exceptions'} reg ${exceptions.join(', reg ')}` : ''}${published}`;
  }
  return `; ${s.length === 1 ? 'exemption' : 'exemptions'} ${s.join(', ')}`;
};

/** One line for `foi log show`: what the event says, in words. */
export function summarise(e: StoredEvent): string {
  const d = e.details;
  const on = formatLongDate(e.date);
  switch (e.kind) {
    case 'logged': return `received ${on} (${REGIME_NAMES[d.regime as Regime] ?? String(d.regime)})`;
    case 'imported': return `received ${on}, imported from ${String(d.file)} row ${String(d.row)}`;
    case 'edited': {
      const changes = (d.changes as { field: string; from?: string | null; to?: string | null }[] | undefined) ?? [];
      return `corrected: ${changes.map((c) => (c.from !== undefined ? `${c.field} ${c.from ?? '(none)'} -> ${c.to ?? '(none)'}` : `${c.field} changed`)).join('; ')}`;
    }
    case 'clarify': return `clarification asked for on ${on}`;
    case 'clarified': return `clarification received on ${on}: the count restarts`;
    case 'fee': return `fees notice given on ${on}${typeof d.amountPence === 'number' ? ` (${formatMoney(d.amountPence, { alwaysPence: true })})` : ''}`;
    case 'paid': return `fee received on ${on}`;
    case 'extend-pit': return `s.17 notice sent on ${on}: public interest extension to ${formatLongDate(String(d.until))} (section ${String(d.exemption)})`;
    case 'extend-eir': return `applicant told on ${on}: complex and voluminous, 40 working days (reg 7(1))`;
    case 'close': {
      const how = d.source === 'letter' ? ` (letter ${String(d.letter)})` : '';
      return `closed on ${on}: ${OUTCOME_LABELS[d.outcome as Outcome] ?? String(d.outcome)}${sections(d.exemptions)}${how}`;
    }
    case 'review': return `internal review asked for on ${on}${d.complex === true ? ' (complex: 40 working days)' : ''}`;
    case 'review-close': return `internal review decided on ${on}: ${REVIEW_OUTCOME_LABELS[d.outcome as ReviewOutcome] ?? String(d.outcome)}`;
    case 'ico': return `complaint to the ICO received on ${on}${d.caseRef ? ` (case ${String(d.caseRef)})` : ''}`;
    case 'ico-close': return `ICO decision on ${on}: ${ICO_OUTCOME_LABELS[d.outcome as IcoOutcome] ?? String(d.outcome)}`;
    case 'void': return `voided #${String(d.event)}${d.reason ? `: ${String(d.reason)}` : ''}`;
    case 'purged': return `personal data removed: ${((d.fields as string[] | undefined) ?? []).join(', ')}`;
  }
}
