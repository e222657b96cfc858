/**
 * The request log's storage: every SQL statement for the log is in this module (the schema too),
 * so a server database can later sit behind the same functions. Prepared statements only.
 *
 * A request is one row (reference, regime, date received, and the requester's personal data,
 * which `foi log purge` can remove) plus an append-only list of events: each clarification, fee,
 * extension, response, review and correction is a new row with its own date, the time it was
 * recorded and the command that recorded it. Triggers refuse to change or delete an event.
 * Events never hold personal data, so purging the request row removes all of it.
 */
import type { Db } from '../db/open.js';
import type { IsoDate } from '../core/dates.js';
import type { Regime } from './values.js';

/** Appended to src/db/migrations.ts. */
export const LOG_MIGRATION = `
  CREATE TABLE log_request (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL,           -- "FOI 556", as written
    ref_key TEXT NOT NULL UNIQUE,      -- upper case, spaces collapsed: how a reference is looked up
    regime TEXT NOT NULL CHECK (regime IN ('foi', 'eir')),
    received TEXT NOT NULL,            -- ISO date
    requester_name TEXT,               -- personal data: removed by foi log purge
    requester_email TEXT,
    requester_address TEXT,            -- JSON array of lines
    wording TEXT,                      -- removed by foi log purge --wording
    purged_at TEXT                     -- when personal data was last removed
  );

  CREATE TABLE log_event (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES log_request(id),
    kind TEXT NOT NULL CHECK (kind IN ('logged', 'imported', 'edited', 'clarify', 'clarified', 'fee', 'paid',
      'extend-pit', 'extend-eir', 'close', 'review', 'review-close', 'ico', 'ico-close', 'void', 'purged')),
    date TEXT NOT NULL,                -- the day it happened (ISO)
    details TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details)),
    recorded_at TEXT NOT NULL,         -- when it was recorded (ISO timestamp, UTC)
    command TEXT NOT NULL              -- what recorded it: "log close", "answer", "log import log.csv"
  );
  CREATE INDEX log_event_request ON log_event(request_id, id);

  CREATE TRIGGER log_event_no_update BEFORE UPDATE ON log_event
  BEGIN SELECT RAISE(ABORT, 'the request log history is append-only: record a correction instead'); END;
  CREATE TRIGGER log_event_no_delete BEFORE DELETE ON log_event
  BEGIN SELECT RAISE(ABORT, 'the request log history is append-only: record a correction instead'); END;
`;

export type EventKind =
  | 'logged' | 'imported' | 'edited' | 'clarify' | 'clarified' | 'fee' | 'paid' | 'extend-pit' | 'extend-eir'
  | 'close' | 'review' | 'review-close' | 'ico' | 'ico-close' | 'void' | 'purged';

export interface RequestRow {
  id: number;
  reference: string;
  regime: Regime;
  received: IsoDate;
  requesterName: string | null;
  requesterEmail: string | null;
  requesterAddress: string[];
  wording: string | null;
  purgedAt: string | null;
}

export interface StoredEvent {
  id: number;
  requestId: number;
  kind: EventKind;
  date: IsoDate;
  details: Record<string, unknown>;
  recordedAt: string;
  command: string;
}

export type NewRequest = Omit<RequestRow, 'id' | 'purgedAt'> & { refKey: string };
export type NewEvent = Omit<StoredEvent, 'id'>;
export type RequestChanges = Partial<Omit<RequestRow, 'id' | 'reference' | 'purgedAt'>>;

interface RawRequest {
  id: number;
  reference: string;
  regime: Regime;
  received: string;
  requester_name: string | null;
  requester_email: string | null;
  requester_address: string | null;
  wording: string | null;
  purged_at: string | null;
}

interface RawEvent {
  id: number;
  request_id: number;
  kind: EventKind;
  date: string;
  details: string;
  recorded_at: string;
  command: string;
}

const REQUEST_COLUMNS = 'id, reference, regime, received, requester_name, requester_email, requester_address, wording, purged_at';
const EVENT_COLUMNS = 'id, request_id, kind, date, details, recorded_at, command';

function toRequest(r: RawRequest): RequestRow {
  return {
    id: r.id, reference: r.reference, regime: r.regime, received: r.received, requesterName: r.requester_name,
    requesterEmail: r.requester_email, requesterAddress: r.requester_address ? (JSON.parse(r.requester_address) as string[]) : [],
    wording: r.wording, purgedAt: r.purged_at,
  };
}

function toEvent(r: RawEvent): StoredEvent {
  return {
    id: r.id, requestId: r.request_id, kind: r.kind, date: r.date, details: JSON.parse(r.details) as Record<string, unknown>,
    recordedAt: r.recorded_at, command: r.command,
  };
}

const addressJson = (lines: string[]) => (lines.length ? JSON.stringify(lines) : null);

export class LogStore {
  private readonly s;

  /** False for a register without the log's tables (one opened read-only before its migration). */
  static available(db: Db): boolean {
    return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'log_request'").get() !== undefined;
  }

  constructor(private readonly db: Db) {
    this.s = {
      byKey: db.prepare(`SELECT ${REQUEST_COLUMNS} FROM log_request WHERE ref_key = ?`),
      all: db.prepare(`SELECT ${REQUEST_COLUMNS} FROM log_request ORDER BY received, reference`),
      insertRequest: db.prepare(`INSERT INTO log_request (reference, ref_key, regime, received, requester_name, requester_email,
        requester_address, wording) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      update: db.prepare(`UPDATE log_request SET regime = ?, received = ?, requester_name = ?, requester_email = ?,
        requester_address = ?, wording = ? WHERE id = ?`),
      markPurged: db.prepare('UPDATE log_request SET purged_at = ? WHERE id = ?'),
      insertEvent: db.prepare(`INSERT INTO log_event (request_id, kind, date, details, recorded_at, command) VALUES (?, ?, ?, ?, ?, ?)`),
      events: db.prepare(`SELECT ${EVENT_COLUMNS} FROM log_event WHERE request_id = ? ORDER BY id`),
      allEvents: db.prepare(`SELECT ${EVENT_COLUMNS} FROM log_event ORDER BY request_id, id`),
      event: db.prepare(`SELECT ${EVENT_COLUMNS} FROM log_event WHERE id = ?`),
      count: db.prepare('SELECT count(*) FROM log_request').pluck(),
    };
  }

  /** Runs `fn` in one immediate transaction: everything it writes, or nothing. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  find(refKey: string): RequestRow | null {
    const r = this.s.byKey.get(refKey) as RawRequest | undefined;
    return r ? toRequest(r) : null;
  }

  all(): RequestRow[] {
    return (this.s.all.all() as RawRequest[]).map(toRequest);
  }

  count(): number {
    return this.s.count.get() as number;
  }

  insertRequest(r: NewRequest): number {
    const info = this.s.insertRequest.run(r.reference, r.refKey, r.regime, r.received, r.requesterName, r.requesterEmail,
      addressJson(r.requesterAddress), r.wording);
    return Number(info.lastInsertRowid);
  }

  updateRequest(current: RequestRow, changes: RequestChanges): void {
    const n = { ...current, ...changes };
    this.s.update.run(n.regime, n.received, n.requesterName, n.requesterEmail, addressJson(n.requesterAddress), n.wording, current.id);
  }

  markPurged(id: number, at: string): void {
    this.s.markPurged.run(at, id);
  }

  insertEvent(e: NewEvent): number {
    const info = this.s.insertEvent.run(e.requestId, e.kind, e.date, JSON.stringify(e.details), e.recordedAt, e.command);
    return Number(info.lastInsertRowid);
  }

  events(requestId: number): StoredEvent[] {
    return (this.s.events.all(requestId) as RawEvent[]).map(toEvent);
  }

  event(id: number): StoredEvent | null {
    const r = this.s.event.get(id) as RawEvent | undefined;
    return r ? toEvent(r) : null;
  }

  /** Every event, grouped by request (for listings and statistics: two queries, not one per request). */
  allEvents(): Map<number, StoredEvent[]> {
    const out = new Map<number, StoredEvent[]>();
    for (const raw of this.s.allEvents.iterate() as IterableIterator<RawEvent>) {
      const e = toEvent(raw);
      const list = out.get(e.requestId);
      if (list) list.push(e);
      else out.set(e.requestId, [e]);
    }
    return out;
  }
}
