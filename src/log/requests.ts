/**
 * The request log's operations: add and correct requests, record what happens to them (each a
 * checked event in one transaction), void a wrong event, read a request with its clock, and purge
 * personal data. No SQL (src/log/store.ts holds it) and no console; "today" is given.
 */
import type { Db } from '../db/open.js';
import { formatLongDate, type IsoDate } from '../core/dates.js';
import { DataError } from '../core/errors.js';
import { computeClock, describeKind, type Clock } from './clock.js';
import { statusSentence } from './explain.js';
import { LATEST_WINS, resolveHistory, VOIDABLE, type HistoryEntry } from './history.js';
import { LogStore, type EventKind, type RequestChanges, type RequestRow, type StoredEvent } from './store.js';
import {
  cleanReference, OUTCOME_LABELS, referenceKey,
  type IcoOutcome, type Outcome, type ReviewOutcome,
} from './values.js';

export interface LogEntry {
  request: RequestRow;
  history: HistoryEntry[];
  clock: Clock;
}

export type NewLogEvent =
  | { kind: 'clarify' | 'clarified' | 'paid' | 'extend-eir'; date: IsoDate }
  | { kind: 'fee'; date: IsoDate; amountPence: number | null }
  | { kind: 'extend-pit'; date: IsoDate; until: IsoDate; exemption: string }
  | { kind: 'close'; date: IsoDate; outcome: Outcome; exemptions: string[]; source?: 'letter'; letter?: string }
  | { kind: 'review'; date: IsoDate; complex: boolean }
  | { kind: 'review-close'; date: IsoDate; outcome: ReviewOutcome }
  | { kind: 'ico'; date: IsoDate; caseRef: string | null }
  | { kind: 'ico-close'; date: IsoDate; outcome: IcoOutcome };

/** A request's own facts, as `foi log add` and `foi log import` give them. */
export type NewRequestInput = Omit<RequestRow, 'id' | 'purgedAt'>;

export interface Recorded {
  entry: LogEntry;
  eventId: number;
  /** The earlier event this one replaces (a second close, extension or review decision). */
  supersedes: number | null;
  /** Warnings the new event brings (beyond those the request already had). */
  warnings: string[];
}

export interface PurgeResult {
  purged: { reference: string; fields: string[] }[];
  kept: { reference: string; reason: string }[];
}

/** Personal data fields of a request, as `foi log purge` names them. */
const PERSONAL = ['requester name', 'e-mail', 'postal address'] as const;

/** How `foi log close` outcomes and exemptions fit together (also checked by `foi log import`). */
export function outcomeExemptionProblem(outcome: Outcome, exemptions: string[]): string | null {
  if (outcome === 'withheld' && !exemptions.length) return 'a request withheld in full must name the exemption(s) relied on';
  if (exemptions.length && outcome !== 'withheld' && outcome !== 'partly') {
    return `a request ${OUTCOME_LABELS[outcome]} cites no exemption; exemptions go with outcomes partly and withheld`;
  }
  return null;
}

export class RequestLog {
  readonly store: LogStore;

  constructor(db: Db, readonly today: IsoDate, private readonly now: () => string = () => new Date().toISOString()) {
    this.store = new LogStore(db);
  }

  /** The request and its clock as at `asOf` (default today): events dated later are left out. */
  private entryOf(request: RequestRow, events: StoredEvent[], asOf: IsoDate | undefined, trace: boolean): LogEntry {
    const shown = asOf ? events.filter((e) => e.date <= asOf || e.kind === 'logged' || e.kind === 'imported') : events;
    const { entries, clockEvents } = resolveHistory(shown);
    const clock = computeClock({ received: request.received, regime: request.regime, events: clockEvents, today: asOf ?? this.today, trace });
    return { request, history: entries, clock };
  }

  find(reference: string): LogEntry | null {
    const row = this.store.find(referenceKey(reference));
    return row ? this.entryOf(row, this.store.events(row.id), undefined, true) : null;
  }

  get(reference: string): LogEntry {
    const e = this.find(reference);
    if (!e) throw new DataError(`no request ${cleanReference(reference)} in the log; add it with foi log add`);
    return e;
  }

  /** Every request, with its clock as at `asOf` (default today); no day-by-day trace. */
  entries(asOf?: IsoDate): LogEntry[] {
    const events = this.store.allEvents();
    return this.store.all().map((r) => this.entryOf(r, events.get(r.id) ?? [], asOf, false));
  }

  add(input: NewRequestInput, command: string): LogEntry {
    const reference = cleanReference(input.reference);
    this.notFuture(input.received, 'the date received');
    return this.store.transaction(() => {
      const existing = this.store.find(referenceKey(reference));
      if (existing) {
        throw new DataError(`${existing.reference} is already in the log (received ${formatLongDate(existing.received)}); correct it with foi log edit "${existing.reference}"`);
      }
      const id = this.store.insertRequest({ ...input, reference, refKey: referenceKey(reference) });
      this.store.insertEvent({ requestId: id, kind: 'logged', date: input.received, details: { regime: input.regime }, recordedAt: this.now(), command });
      return this.get(reference);
    });
  }

  /** Writes requests checked by `foi log import`, each with its response if closed, in one transaction. */
  importRows(rows: (NewRequestInput & { file: string; row: number; close: { on: IsoDate; outcome: Outcome; exemptions: string[] } | null })[], command: string): void {
    this.store.transaction(() => {
      const recordedAt = this.now();
      for (const r of rows) {
        const id = this.store.insertRequest({ ...r, refKey: referenceKey(r.reference) });
        this.store.insertEvent({ requestId: id, kind: 'imported', date: r.received, details: { regime: r.regime, file: r.file, row: r.row }, recordedAt, command });
        if (r.close) {
          this.store.insertEvent({ requestId: id, kind: 'close', date: r.close.on, details: { outcome: r.close.outcome, exemptions: r.close.exemptions, source: 'import' }, recordedAt, command });
        }
      }
    });
  }

  /** Corrects the request's own facts; the history records which changed (personal values are not copied into it). */
  edit(reference: string, changes: RequestChanges, command: string): { entry: LogEntry; changed: string[] } {
    if (changes.received) this.notFuture(changes.received, 'the date received');
    return this.store.transaction(() => {
      const { request } = this.get(reference);
      const diffs: { field: string; from?: string | null; to?: string | null }[] = [];
      if (changes.received !== undefined && changes.received !== request.received) diffs.push({ field: 'received', from: request.received, to: changes.received });
      if (changes.regime !== undefined && changes.regime !== request.regime) diffs.push({ field: 'regime', from: request.regime, to: changes.regime });
      if (changes.requesterName !== undefined && changes.requesterName !== request.requesterName) diffs.push({ field: 'requester name' });
      if (changes.requesterEmail !== undefined && changes.requesterEmail !== request.requesterEmail) diffs.push({ field: 'e-mail' });
      if (changes.requesterAddress !== undefined && JSON.stringify(changes.requesterAddress) !== JSON.stringify(request.requesterAddress)) diffs.push({ field: 'postal address' });
      if (changes.wording !== undefined && changes.wording !== request.wording) diffs.push({ field: 'wording' });
      if (diffs.length) {
        this.store.updateRequest(request, changes);
        this.store.insertEvent({ requestId: request.id, kind: 'edited', date: this.today, details: { changes: diffs }, recordedAt: this.now(), command });
      }
      return { entry: this.get(reference), changed: diffs.map((d) => d.field) };
    });
  }

  record(reference: string, ev: NewLogEvent, command: string): Recorded {
    this.notFuture(ev.date, `the date of the ${describeKind(ev.kind)}`);
    return this.store.transaction(() => {
      const before = this.get(reference);
      this.check(before, ev);
      const { kind, date, ...details } = ev;
      const supersedes = before.history.find((h) => h.event.kind === kind && h.status === 'in force' && LATEST_WINS.has(kind))?.event.id ?? null;
      const eventId = this.store.insertEvent({ requestId: before.request.id, kind, date, details, recordedAt: this.now(), command });
      const entry = this.get(reference);
      const warnings = entry.clock.warnings.filter((w) => !before.clock.warnings.includes(w));
      return { entry, eventId, supersedes: supersedes === eventId ? null : supersedes, warnings };
    });
  }

  /** Voids a wrongly recorded event: it stays in the history, marked, and stops counting. */
  voidEvent(reference: string, eventId: number, reason: string | null, command: string): LogEntry {
    return this.store.transaction(() => {
      const entry = this.get(reference);
      const h = entry.history.find((x) => x.event.id === eventId);
      if (!h) throw new DataError(`${entry.request.reference} has no event #${eventId}; foi log show "${entry.request.reference}" lists its history`);
      if (h.status === 'voided') throw new DataError(`#${eventId} of ${entry.request.reference} is already voided (by #${h.by})`);
      if (!VOIDABLE.has(h.event.kind)) throw new DataError(`#${eventId} (${h.summary}) cannot be voided; correct the request with foi log edit`);
      this.store.insertEvent({ requestId: entry.request.id, kind: 'void', date: this.today, details: { event: eventId, reason }, recordedAt: this.now(), command });
      return this.get(reference);
    });
  }

  /**
   * Removes requesters' personal data (and, with `wording`, the request's words) from requests
   * closed before `before`, keeping reference, dates, outcome and history. A request whose
   * internal review or ICO complaint is still open, or was decided on or after `before`, is kept.
   */
  purge(before: IsoDate, opts: { wording: boolean; dryRun: boolean }, command: string): PurgeResult {
    return this.store.transaction(() => {
      const result: PurgeResult = { purged: [], kept: [] };
      for (const entry of this.entries()) {
        const { request: r, clock: c } = entry;
        if (!c.closed || c.closed.on >= before) continue;
        if (c.review && (!c.review.closed || c.review.closed.on >= before)) {
          result.kept.push({ reference: r.reference, reason: c.review.closed ? `internal review decided ${formatLongDate(c.review.closed.on)}` : 'internal review open' });
          continue;
        }
        if (c.ico && (!c.ico.closed || c.ico.closed.on >= before)) {
          result.kept.push({ reference: r.reference, reason: c.ico.closed ? `ICO decision ${formatLongDate(c.ico.closed.on)}` : 'ICO complaint open' });
          continue;
        }
        const fields: string[] = [];
        if (r.requesterName !== null) fields.push(PERSONAL[0]);
        if (r.requesterEmail !== null) fields.push(PERSONAL[1]);
        if (r.requesterAddress.length) fields.push(PERSONAL[2]);
        if (opts.wording && r.wording !== null) fields.push('wording');
        if (!fields.length) continue;
        result.purged.push({ reference: r.reference, fields });
        if (opts.dryRun) continue;
        this.store.updateRequest(r, {
          requesterName: null, requesterEmail: null, requesterAddress: [], ...(opts.wording ? { wording: null } : {}),
        });
        const at = this.now();
        this.store.markPurged(r.id, at);
        this.store.insertEvent({ requestId: r.id, kind: 'purged', date: this.today, details: { fields, closedBefore: before }, recordedAt: at, command });
      }
      return result;
    });
  }

  private notFuture(date: IsoDate, what: string): void {
    if (date > this.today) throw new DataError(`${what} (${formatLongDate(date)}) is in the future; today is ${formatLongDate(this.today)}`);
  }

  /** Refuses an event that does not fit the request's history, saying what to do instead. */
  private check(entry: LogEntry, ev: NewLogEvent): void {
    const { request: r, clock: c } = entry;
    const ref = r.reference;
    const q = `"${ref}"`;
    const fail = (msg: string): never => {
      throw new DataError(`${ref}: ${msg}`);
    };
    if (ev.date < r.received) fail(`the ${describeKind(ev.kind)} (${formatLongDate(ev.date)}) is before the request was received (${formatLongDate(r.received)})`);
    const closeEvent = entry.history.find((h) => h.event.kind === 'close' && h.status === 'in force');
    if (c.closed && CLOCK_KINDS.has(ev.kind)) {
      fail(`the request is closed (${statusSentence(c)}); to reopen it, void the response: foi log void ${q} --event ${closeEvent?.event.id}`);
    }
    switch (ev.kind) {
      case 'clarify':
        if (c.pending.clarificationAskedOn) fail(`already awaiting the clarification asked for on ${formatLongDate(c.pending.clarificationAskedOn)}; record its arrival with foi log clarified ${q} --on DATE`);
        break;
      case 'clarified':
        if (!c.pending.clarificationAskedOn) fail(`no clarification is outstanding; record the request for it first: foi log clarify ${q} --asked DATE`);
        if (ev.date < c.pending.clarificationAskedOn!) fail(`the clarification (${formatLongDate(ev.date)}) cannot arrive before it was asked for (${formatLongDate(c.pending.clarificationAskedOn!)})`);
        break;
      case 'fee':
        if (c.pending.feeNoticeOn) fail(`the fees notice given on ${formatLongDate(c.pending.feeNoticeOn)} is unpaid; record the payment with foi log paid ${q} --on DATE (or void the notice)`);
        break;
      case 'paid':
        if (!c.pending.feeNoticeOn) fail(`no fees notice is outstanding; record it first: foi log fee ${q} --notice DATE`);
        if (ev.date < c.pending.feeNoticeOn!) fail(`the fee (${formatLongDate(ev.date)}) cannot be received before the fees notice was given (${formatLongDate(c.pending.feeNoticeOn!)})`);
        break;
      case 'extend-pit':
        if (r.regime !== 'foi') fail('this is an EIR request: the public interest extension is FOIA s.10(3); for EIR use foi log extend --eir-complex');
        if (!c.baseDue) fail('the request is on hold (awaiting clarification or a fee), so its 20th working day is not yet known; record that first');
        if (ev.until <= c.baseDue!) fail(`--until ${formatLongDate(ev.until)} is not after the 20th working day (${formatLongDate(c.baseDue!)})`);
        break;
      case 'extend-eir':
        if (r.regime !== 'eir') fail('this is an FOI request: the 40-working-day extension is EIR reg 7(1); for FOIA use foi log extend --pit');
        break;
      case 'close': {
        const p = outcomeExemptionProblem(ev.outcome, ev.exemptions);
        if (p) fail(p);
        break;
      }
      case 'review-close':
        if (!c.review) fail(`no internal review is recorded; record it first: foi log review ${q} --received DATE`);
        if (ev.date < c.review!.received) fail(`the review decision (${formatLongDate(ev.date)}) is before the review was asked for (${formatLongDate(c.review!.received)})`);
        break;
      case 'ico-close':
        if (!c.ico) fail(`no ICO complaint is recorded; record it first: foi log ico ${q} --received DATE`);
        if (ev.date < c.ico!.received) fail(`the ICO decision (${formatLongDate(ev.date)}) is before the complaint (${formatLongDate(c.ico!.received)})`);
        break;
      default:
        break;
    }
  }
}

/** Events that move the request's own clock: refused once it is closed. */
const CLOCK_KINDS = new Set<EventKind>(['clarify', 'clarified', 'fee', 'paid', 'extend-pit', 'extend-eir']);
