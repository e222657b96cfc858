/**
 * The request log joined to letters. A request (file or `foi answer --ref`) whose reference is in
 * the log takes its date received, requester and wording from the log; where the request says
 * otherwise it wins, with a warning naming each field. The letter's due date, late apology and
 * extension paragraph come from the log's clock, so a clarified or fee-paused request is not
 * called late. Writing the letter records the response in the log.
 */
import type { Db } from '../db/open.js';
import { formatLongDate, type IsoDate } from '../core/dates.js';
import { FoiError } from '../core/errors.js';
import { computeDeadline } from '../deadline/working-days.js';
import { parseRequestFile, type RequestSpec } from '../letters/request.js';
import type { ExtensionView, LetterView } from '../letters/view-model.js';
import { computeClock, type ClockEvent } from './clock.js';
import { resolveHistory } from './history.js';
import { RequestLog, type LogEntry } from './requests.js';
import { LogStore } from './store.js';
import type { Outcome } from './values.js';

/** What the log knows of a request, for filling in a request file or flags. */
export interface LogFacts {
  reference: string;
  received: IsoDate;
  requester: { name: string | null; address: string[] };
  wording: string | null;
}

/** The letter's deadline from the log's clock (BuildOptions.deadline). */
export interface LetterDeadline {
  due: IsoDate;
  late: boolean;
  extension: ExtensionView | null;
}

/** One log per register and day: a batch of a thousand letters prepares its statements once. */
const logs = new WeakMap<Db, { today: IsoDate; log: RequestLog | null }>();

function openLog(db: Db, today: IsoDate): RequestLog | null {
  const cached = logs.get(db);
  if (cached && cached.today === today) return cached.log;
  const log = LogStore.available(db) ? new RequestLog(db, today) : null;
  logs.set(db, { today, log });
  return log;
}

function findEntry(log: RequestLog | null, reference: string): LogEntry | null {
  if (!log || !reference.trim()) return null;
  return log.find(reference);
}

/** For the request parser and `foi answer --ref`: the log's facts for a reference, or null. */
export function logFacts(db: Db, today: IsoDate): (reference: string) => LogFacts | null {
  const log = openLog(db, today);
  return (reference) => {
    const e = findEntry(log, reference);
    if (!e) return null;
    const r = e.request;
    return { reference: r.reference, received: r.received, requester: { name: r.requesterName, address: r.requesterAddress }, wording: r.wording };
  };
}

/**
 * Fills a parsed request from the log, and gives the letter's deadline for its response date (the
 * letter decides that date: it may keep the one it was first written with). `request` is returned
 * unchanged, and `deadline` is null, when the reference is not in the log. `warnings` also gets
 * any warning the deadline finds when it is called.
 */
export function applyLog(db: Db, request: RequestSpec, today: IsoDate): {
  request: RequestSpec;
  deadline: ((responseIso: IsoDate) => LetterDeadline | null) | null;
  warnings: string[];
} {
  const entry = findEntry(openLog(db, today), request.reference);
  if (!entry) return { request, deadline: null, warnings: [] };
  const r = entry.request;
  const ref = request.reference;
  const warnings: string[] = [];
  const differs = (field: string, given: string, logged: string) =>
    warnings.push(`${ref}: the request's ${field} (${given}) differs from the log's (${logged}); the letter uses the request's`);
  if (request.received !== r.received) differs('date received', request.received, r.received);
  const given = request.requester;
  if (given.name && r.requesterName && given.name !== r.requesterName) differs('requester', given.name, r.requesterName);
  if (given.address.length && r.requesterAddress.length && given.address.join(', ') !== r.requesterAddress.join(', ')) {
    differs('address', given.address.join(', '), r.requesterAddress.join(', '));
  }
  if (request.questions.length === 1 && r.wording && request.questions[0].wording.trim() !== r.wording.trim()) {
    differs('wording', clip(request.questions[0].wording), clip(r.wording));
  }
  // The log's regime unless the request names one. Only EIR is written into the request, so the
  // answer records of FOIA letters stay as they were.
  if (request.regime && request.regime !== r.regime) {
    warnings.push(`${ref}: the request's regime (${request.regime.toUpperCase()}) differs from the log's (${r.regime.toUpperCase()}); the letter uses the request's`);
  }
  const regime = request.regime ?? r.regime;
  const filled: RequestSpec = {
    ...request,
    ...(regime === 'eir' ? { regime } : {}),
    // The log's spelling of the reference: `foi answer --ref "foi 700"` writes FOI 700's letter.
    reference: r.reference,
    // The log's address only goes with the log's requester.
    requester: {
      name: given.name ?? r.requesterName,
      address: given.address.length || (given.name && given.name !== r.requesterName) ? given.address : r.requesterAddress,
    },
  };

  // The clock as if the letter were the response: its date replaces any response already logged.
  const deadline = (responseIso: IsoDate): LetterDeadline | null => {
    if (responseIso < request.received) return null;
    const events: ClockEvent[] = resolveHistory(entry.history.map((h) => h.event)).clockEvents.filter((e) => e.kind !== 'close');
    events.push({ kind: 'close', date: responseIso, outcome: 'granted', exemptions: [] });
    const c = computeClock({ received: request.received, regime: r.regime, events, today: responseIso });
    let due = c.due;
    if (!due) {
      // On hold when the letter is dated: not late; the due date shown is the count without the hold.
      due = c.baseDue ?? computeDeadline(c.start).due;
      const why = c.pending.clarificationAskedOn
        ? `awaiting the clarification asked for on ${formatLongDate(c.pending.clarificationAskedOn)}`
        : `awaiting the fee (notice given ${formatLongDate(c.pending.feeNoticeOn ?? c.start)})`;
      warnings.push(`${ref}: the log shows the request ${why} on ${formatLongDate(responseIso)}; if it has arrived, record it (foi log clarified / foi log paid) so the clock restarts`);
    }
    const ext = c.extension?.permitted ? c.extension : null;
    const extension: ExtensionView | null = ext
      ? { kind: ext.kind, notice: formatLongDate(ext.notice), until: formatLongDate(ext.until), section: ext.exemption }
      : null;
    return { due, late: c.closed?.timeliness === 'late', extension };
  };
  return { request: filled, deadline, warnings };
}

/** `foi batch`: a request file read with the log's facts, and its deadline from the log's clock. */
export function loggedRequestFile(db: Db, file: string, today: IsoDate): ReturnType<typeof applyLog> {
  return applyLog(db, parseRequestFile(file, logFacts(db, today)), today);
}

/**
 * The outcome a letter gives, in the log's terms: every question answered -> granted in full;
 * none held -> information not held; all refused on cost -> s.12; some given and some not held,
 * exempt or refused -> partially withheld; nothing given and something exempt -> withheld in full.
 */
export function outcomeOfLetter(view: Pick<LetterView, 'questions'>): { outcome: Outcome; exemptions: string[] } {
  const outs = view.questions.map((q) => (q.noMatch && (q.outcome === 'held' || q.outcome === 'partly_held') ? 'not_held' : q.outcome));
  const exemptions = [...new Set(view.questions.flatMap((q) => (q.exemption ? [q.exemption.section] : [])))];
  const some = (o: string) => outs.some((x) => x === o);
  const given = some('held') || some('partly_held');
  let outcome: Outcome;
  if (outs.every((o) => o === 'held')) outcome = 'granted';
  else if (given) outcome = 'partly';
  else if (some('exempt')) outcome = 'withheld';
  else if (some('refused_cost')) outcome = 'cost';
  else outcome = 'not-held';
  return { outcome, exemptions: outcome === 'partly' || outcome === 'withheld' ? exemptions : [] };
}

/**
 * Records the letter as the response in the log (response date, and the outcome derived from the
 * questions unless the log already has one). Returns what it did, in words, and any warnings.
 * Never throws for the log's sake: the letter is already written.
 */
export function recordLetter(db: Db, view: LetterView, opts: { today: IsoDate; letter: string }): { message: string | null; warnings: string[] } {
  const log = openLog(db, opts.today);
  const entry = findEntry(log, view.ref);
  if (!log || !entry) return { message: null, warnings: [] };
  const ref = entry.request.reference;
  const on = view.responseDateIso;
  if (on > opts.today) {
    return { message: null, warnings: [`${ref}: the letter is dated ${formatLongDate(on)}, after today: not recorded in the log; record it with foi log close when it goes out`] };
  }
  const existing = entry.clock.closed;
  const derived = outcomeOfLetter(view);
  const outcome = existing?.outcome ?? derived.outcome;
  const exemptions = existing ? existing.exemptions : derived.exemptions;
  if (existing && existing.on === on) return { message: `${ref}: the log already records the response of ${formatLongDate(on)}`, warnings: [] };
  try {
    const r = log.record(ref, { kind: 'close', date: on, outcome, exemptions, source: 'letter', letter: opts.letter }, 'answer');
    const c = r.entry.clock.closed!;
    const timing = c.timeliness === 'in-time' ? 'in time' : c.timeliness === 'in-extension' ? 'within the permitted extension' : c.timeliness === 'late' ? `late by ${c.workingDaysLate} working days` : 'not counted for timeliness';
    return {
      message: `${ref}: logged as answered on ${formatLongDate(on)} (#${r.eventId}${r.supersedes ? `, superseding #${r.supersedes}` : ''}), ${timing}`,
      warnings: r.warnings.map((w) => `${ref}: ${w}`),
    };
  } catch (e) {
    if (e instanceof FoiError) return { message: null, warnings: [`not recorded in the log: ${e.message}`] };
    throw e;
  }
}

function clip(s: string): string {
  const one = s.trim().replace(/\s+/g, ' ');
  return one.length > 60 ? `"${one.slice(0, 57)}…"` : `"${one}"`;
}
