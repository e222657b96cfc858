/**
 * The register forgets nothing. Every grant row has a version; when a grant changes, the whole of
 * its previous version (the grants row and its rows in every grant-scoped table) is kept as a
 * snapshot in `grant_version`, with the time it stopped being current and the change set that
 * replaced it, and the field-by-field difference goes to `grant_change`. A change set says who
 * changed the register: an import (file name and content hash), a prune or a command.
 *
 * Snapshots are generic: the grant-scoped tables are found in the schema (every table with a
 * `grant_id` column), so a later migration's table is versioned without code here.
 *
 * Reading "as at" a time builds TEMP views that shadow the register's tables (SQLite resolves an
 * unqualified name in `temp` first): current rows written by then, plus the snapshots current at
 * that time. Every query in foi then reads the register as it was, unchanged.
 */
import { formatLongDate, londonDate } from '../core/dates.js';
import type { Db } from '../db/open.js';

export type ChangeKind = 'import' | 'prune' | 'command';

export interface ChangeSet {
  id: number;
  at: string;
  kind: ChangeKind;
  file: string | null;
  fileSha256: string | null;
  command: string | null;
}

/** Columns that say where a row sits, not what it says: left out of differences. */
const BOOKKEEPING = new Set([
  'content_hash', 'version', 'changed_at', 'change_id', 'created_change', 'seen_change', 'grant_rowid', '_rowid', 'source_position',
  'source_document', 'recipient_snapshot_id', 'funder_snapshot_id', 'snapshot_id',
]);

const HISTORY_TABLES = new Set(['grant_version', 'grant_change', 'organisation_version']);

/** Tables that hold rows of one grant (a `grant_id` column), in a fixed order. */
export function grantTables(db: Db): string[] {
  const tables = db.prepare(`SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name`).pluck().all() as string[];
  return tables.filter((t) => !HISTORY_TABLES.has(t) && columns(db, t).includes('grant_id'));
}

export function columns(db: Db, table: string): string[] {
  return (db.prepare(`SELECT name FROM pragma_table_info(?, 'main')`).pluck().all(table) as string[]);
}

/** A grant's whole stored state: `{ grants: row, allocation: [rows], … }`. */
export type Snapshot = Record<string, unknown>;

/** Prepared reads of a grant's snapshot, made once per register. */
export class Snapshots {
  private readonly grant;
  private readonly children: [string, { all(id: string): unknown[] }][];
  /** A 360Giving grant's organisations as published (immutable rows), to show names in changes. */
  private readonly orgSnapshot: { get(id: unknown): unknown } | null;
  constructor(db: Db) {
    this.grant = db.prepare('SELECT rowid AS _rowid, * FROM main.grants WHERE id = ?');
    this.orgSnapshot = columns(db, 'org_snapshot').length
      ? db.prepare('SELECT org_id, name, charity_number, company_number, street_address, locality, region, country, postcode, url, organisation_type, published_json FROM main.org_snapshot WHERE id = ?')
      : null;
    this.children = grantTables(db).map((t) => {
      const key = columns(db, t).filter((c) => c !== 'grant_id');
      const order = key.includes('seq') ? 'seq' : key[0];
      return [t, db.prepare(`SELECT * FROM main.${t} WHERE grant_id = ? ORDER BY ${order}${order !== key[0] ? '' : ''}`) as unknown as { all(id: string): unknown[] }];
    });
  }
  of(id: string): Snapshot | null {
    const row = this.grant.get(id) as Record<string, unknown> | undefined;
    if (!row) return null;
    const snap: Snapshot = { grants: row };
    for (const [t, st] of this.children) snap[t] = st.all(id);
    if (this.orgSnapshot) {
      // Extra keys beside the stored columns: "as at" views read only the columns.
      for (const role of ['recipient', 'funder']) {
        const sid = row[`${role}_snapshot_id`];
        if (sid != null) row[`${role}_organisation`] = this.orgSnapshot.get(sid);
      }
      for (const r of (snap.grant_more_organisation ?? []) as Record<string, unknown>[]) r.organisation = this.orgSnapshot.get(r.snapshot_id);
    }
    return snap;
  }
}

export interface FieldChange {
  field: string;
  before: string | null;
  after: string | null;
}

/** Flatten a snapshot into `field -> text` pairs that read well in a change report. */
export function flatten(snap: Snapshot): Map<string, string> {
  const out = new Map<string, string>();
  const put = (k: string, v: unknown) => {
    if (v === null || v === undefined || v === '') return;
    out.set(k, typeof v === 'string' ? v : JSON.stringify(v));
  };
  const value = (key: string, c: string, v: unknown) => {
    if (c.endsWith('_json') && typeof v === 'string') flattenJson(JSON.parse(v), key.replace(/_json$/, ''), put);
    else if (v !== null && typeof v === 'object') flattenJson(v, key, put);
    else put(key, v);
  };
  for (const [c, v] of Object.entries(snap.grants as Record<string, unknown>)) {
    if (!BOOKKEEPING.has(c)) value(c, c, v);
  }
  for (const [t, rows] of Object.entries(snap)) {
    if (t === 'grants') continue;
    (rows as Record<string, unknown>[]).forEach((r, i) => {
      const label = rowLabel(t, r, i);
      for (const [c, v] of Object.entries(r)) {
        if (c === 'grant_id' || c === 'seq' || BOOKKEEPING.has(c)) continue;
        value(`${label}.${c}`, c, v);
      }
    });
  }
  return out;
}

function flattenJson(v: unknown, prefix: string, put: (k: string, v: unknown) => void): void {
  if (Array.isArray(v)) v.forEach((x, i) => flattenJson(x, `${prefix}[${i}]`, put));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) flattenJson(x, `${prefix}.${k}`, put);
  else put(prefix, v);
}

/** `line 2`, `theme stalking`, `flag non-ex-intimate`, `figure referrals 2022-23`, `recipient 1`. */
function rowLabel(table: string, r: Record<string, unknown>, i: number): string {
  switch (table) {
    case 'allocation': return `line ${r.seq}`;
    case 'grant_theme': return `theme ${r.theme}`;
    case 'grant_flag': return `flag ${r.flag}`;
    case 'figure': return `figure ${r.measure}${typeof r.financial_year === 'number' && r.financial_year >= 0 ? ` ${r.financial_year}-${String((r.financial_year + 1) % 100).padStart(2, '0')}` : ''}`;
    case 'variation': return `variation ${r.seq}`;
    case 'grant_partner': return `partner ${r.seq}`;
    case 'grant_location': return `location ${r.seq}`;
    case 'grant_classification': return `classification ${r.seq}`;
    case 'grant_organisation': return `${r.role} organisation ${Number(r.seq) + 1}`;
    default: return `${table} ${r.seq ?? i + 1}`;
  }
}

/** What differs between two snapshots, field by field, in a stable order. */
export function diffSnapshots(before: Snapshot | null, after: Snapshot | null): FieldChange[] {
  const a = before ? flatten(before) : new Map<string, string>();
  const b = after ? flatten(after) : new Map<string, string>();
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  const out: FieldChange[] = [];
  for (const k of keys) {
    const x = a.get(k) ?? null;
    const y = b.get(k) ?? null;
    if (x !== y) out.push({ field: k, before: x, after: y });
  }
  return out;
}

/** Labels for the columns a change report names most often. */
const FIELD_LABELS: Record<string, string> = {
  amount_awarded_pence: 'amount', amount_pence: 'amount', award_date: 'award date', planned_start: 'planned start',
  planned_end: 'planned end', recipient_org_id: 'recipient', funding_org_id: 'funder', funder_org_id: 'funder',
  programme_title: 'programme', amount_status: 'amount status', financial_year: 'financial year', value_number: 'value',
  value_text: 'value', withdrawn_at: 'withdrawn',
};

/** `amount £60,000 → £65,000`, `line 2 amount £1 → £2`, `title "A" → "B"`. */
export function describeChange(c: FieldChange, money: (pence: number) => string): string {
  const dot = c.field.lastIndexOf('.');
  const head = dot < 0 ? '' : `${c.field.slice(0, dot)} `;
  const col = dot < 0 ? c.field : c.field.slice(dot + 1);
  const label = FIELD_LABELS[col] ?? col.replace(/_/g, ' ');
  const show = (v: string | null) => {
    if (v === null) return col === 'withdrawn_at' ? '(not withdrawn)' : '(none)';
    // A time the register stamped (withdrawn_at): the day in London, as letters write dates.
    if (/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(v) && Number.isFinite(Date.parse(v))) return formatLongDate(londonDate(Date.parse(v)));
    if (col.endsWith('_pence') && /^-?\d+$/.test(v)) return money(Number(v));
    return /^[\w£€$.,: /()-]{1,60}$/.test(v) ? v : JSON.stringify(v.length > 80 ? v.slice(0, 77) + '…' : v);
  };
  return `${head}${label} ${show(c.before)} → ${show(c.after)}`;
}

/**
 * A 360Giving award has one money line derived from its amount: a change to the amount shows
 * once, as the grant's, not again as its line's.
 */
export function withoutDerivedEchoes(changes: FieldChange[]): FieldChange[] {
  const amount = changes.find((c) => c.field === 'amount_awarded_pence');
  if (!amount) return changes;
  return changes.filter((c) => !(c.field === 'line 1.amount_pence' && c.before === amount.before && c.after === amount.after));
}

// ---------------------------------------------------------------------------------------------
// Reading the register as at a time

/**
 * Make `db` read the register as it was at `at` (an ISO UTC time): TEMP views named like the
 * register's tables shadow them for every unqualified query on this connection. Use a connection
 * of its own (statements prepared before this keep reading the present).
 */
export function applyAsAt(db: Db, at: string): void {
  db.exec('CREATE TEMP TABLE IF NOT EXISTS as_at (t TEXT NOT NULL)');
  db.prepare('DELETE FROM temp.as_at').run();
  db.prepare('INSERT INTO temp.as_at (t) VALUES (?)').run(at);
  const T = '(SELECT t FROM temp.as_at)';
  // A grant's current version counts if it was written by then; NULL: before history was kept.
  const current = `coalesce(changed_at, '') <= ${T}`;
  const valid = `coalesce(v.valid_from, '') <= ${T} AND ${T} < v.valid_to`;
  const gcols = columns(db, 'grants');
  db.exec(`DROP VIEW IF EXISTS temp.grants`);
  db.exec(`CREATE TEMP VIEW grants AS
    SELECT rowid AS rowid, ${gcols.join(', ')} FROM main.grants WHERE ${current}
    UNION ALL
    SELECT json_extract(v.snapshot, '$.grants._rowid') AS rowid, ${gcols.map((c) => `json_extract(v.snapshot, '$.grants.${c}') AS ${c}`).join(', ')}
      FROM main.grant_version v WHERE ${valid}`);
  for (const t of grantTables(db)) {
    const cols = columns(db, t);
    db.exec(`DROP VIEW IF EXISTS temp.${t}`);
    db.exec(`CREATE TEMP VIEW ${t} AS
      SELECT ${cols.join(', ')} FROM main.${t} WHERE grant_id IN (SELECT id FROM main.grants WHERE ${current})
      UNION ALL
      SELECT ${cols.map((c) => `json_extract(j.value, '$.${c}') AS ${c}`).join(', ')}
        FROM main.grant_version v, json_each(v.snapshot, '$.${t}') j WHERE ${valid}`);
  }
  const ocols = columns(db, 'organisation');
  db.exec(`DROP VIEW IF EXISTS temp.organisation`);
  db.exec(`CREATE TEMP VIEW organisation AS
    SELECT ${ocols.join(', ')} FROM main.organisation WHERE ${current}
    UNION ALL
    SELECT ${ocols.map((c) => `json_extract(v.snapshot, '$.${c}') AS ${c}`).join(', ')} FROM main.organisation_version v WHERE ${valid}`);
  // Text search over the grants as they were: a TEMP full-text index shadows the register's.
  db.exec(`DROP TABLE IF EXISTS temp.grant_fts`);
  db.exec(`CREATE VIRTUAL TABLE temp.grant_fts USING fts5(grant_id UNINDEXED, title, description, outcomes, tokenize = 'porter unicode61')`);
  db.exec(`INSERT INTO temp.grant_fts (rowid, grant_id, title, description, outcomes)
    SELECT g.rowid, g.id, g.title, nullif(concat_ws(char(10), g.description, g.services), ''),
      (SELECT group_concat(t.outcome, char(10)) FROM grant_theme t WHERE t.grant_id = g.id)
    FROM grants g`);
}

// ---------------------------------------------------------------------------------------------
// Writing history (used by RegisterWriter, inside the caller's transaction)

export interface GrantChangeReport {
  grantId: string;
  action: 'changed' | 'withdrawn' | 'restored';
  fields: FieldChange[];
}

/** Change sets, earlier versions and change records: the writer's side of history. */
export class HistoryWriter {
  private readonly s;
  readonly snapshots: Snapshots;
  /** The change set being written, and its time (every row it writes carries this time). */
  current: { id: number; at: string } | null = null;

  constructor(private readonly db: Db) {
    this.snapshots = new Snapshots(db);
    this.s = {
      newChange: db.prepare('INSERT INTO change_set (at, kind, file, file_sha256, command) VALUES (?, ?, ?, ?, ?)'),
      setSha256: db.prepare('UPDATE change_set SET file_sha256 = ? WHERE id = ?'),
      lastAt: db.prepare('SELECT max(at) FROM change_set').pluck(),
      keepVersion: db.prepare('INSERT INTO grant_version (grant_id, version, valid_from, valid_to, change_to, snapshot) VALUES (?, ?, ?, ?, ?, ?)'),
      forgetVersion: db.prepare('DELETE FROM grant_version WHERE grant_id = ? AND version = ?'),
      restoreVersion: db.prepare('UPDATE grants SET version = ?, changed_at = ?, change_id = ? WHERE id = ?'),
      recordChange: db.prepare('INSERT INTO grant_change (grant_id, version, change_id, action, diff) VALUES (?, ?, ?, ?, ?)'),
      org: db.prepare('SELECT * FROM organisation WHERE id = ?'),
      keepOrg: db.prepare('INSERT OR REPLACE INTO organisation_version (org_id, valid_from, valid_to, change_to, snapshot) VALUES (?, ?, ?, ?, ?)'),
    };
  }

  /** Start a change set; what is written until the next one is attributed to it. */
  start(kind: ChangeKind, details: { file?: string | null; sha256?: string | null; command?: string | null } = {}): { id: number; at: string } {
    // Times only move forward, even if the clock steps back: "as at" reads depend on their order.
    let at = new Date().toISOString();
    const last = this.s.lastAt.get() as string | null;
    if (last && at <= last) at = new Date(Date.parse(last) + 1).toISOString();
    const info = this.s.newChange.run(at, kind, details.file ?? null, details.sha256 ?? null, details.command ?? null);
    this.current = { id: Number(info.lastInsertRowid), at };
    return this.current;
  }

  /** The sha256 of the current change set's file, once it has been read (it is hashed in the same pass). */
  setFileSha256(sha256: string): void {
    this.s.setSha256.run(sha256, this.change().id);
  }

  /** The change set to write under, starting an anonymous command one if none was started. */
  change(): { id: number; at: string } {
    return this.current ?? this.start('command', { command: 'write' });
  }

  keepVersion(grantId: string, version: number, validFrom: string | null, before: Snapshot): void {
    const c = this.change();
    this.s.keepVersion.run(grantId, version, validFrom, c.at, c.id, JSON.stringify(before));
  }

  /** Undo keepVersion when the new version turned out to say nothing different. */
  forgetVersion(grantId: string, version: number, changedAt: string | null, changeId: number | null): void {
    this.s.forgetVersion.run(grantId, version);
    this.s.restoreVersion.run(version, changedAt, changeId, grantId);
  }

  record(grantId: string, version: number, action: GrantChangeReport['action'], fields: FieldChange[]): void {
    this.s.recordChange.run(grantId, version, this.change().id, action, JSON.stringify(fields));
  }

  /** Keep an organisation's current row before it is replaced; returns the time to stamp on the new one. */
  keepOrganisation(orgId: string, replacement: Record<string, unknown>): { changed: boolean; at: string } {
    const c = this.change();
    const old = this.s.org.get(orgId) as Record<string, unknown> | undefined;
    if (!old) return { changed: true, at: c.at };
    const differs = Object.entries(replacement).some(([k, v]) => (old[k] ?? null) !== (v ?? null));
    if (!differs) return { changed: false, at: c.at };
    this.s.keepOrg.run(orgId, (old.changed_at as string | null) ?? null, c.at, c.id, JSON.stringify(old));
    return { changed: true, at: c.at };
  }
}

// ---------------------------------------------------------------------------------------------
// Reading history

export interface HistoryEntry {
  version: number;
  /** UTC instant, or null for a grant written before history was kept. */
  at: string | null;
  action: 'added' | 'changed' | 'withdrawn' | 'restored';
  by: { kind: ChangeKind; file: string | null; fileSha256: string | null; command: string | null } | null;
  fields: FieldChange[];
}

/** A grant's history, oldest first: when it was added, then every change, by what. */
export function grantHistory(db: Db, id: string): HistoryEntry[] | null {
  const g = db.prepare('SELECT version, created_change AS created FROM main.grants WHERE id = ?').get(id) as { version: number; created: number | null } | undefined;
  if (!g) return null;
  const by = db.prepare('SELECT at, kind, file, file_sha256 AS fileSha256, command FROM main.change_set WHERE id = ?');
  const who = (changeId: number | null) => {
    const c = changeId === null ? undefined : (by.get(changeId) as { at: string; kind: ChangeKind; file: string | null; fileSha256: string | null; command: string | null } | undefined);
    return { at: c?.at ?? null, by: c ? { kind: c.kind, file: c.file, fileSha256: c.fileSha256, command: c.command } : null };
  };
  const first = who(g.created);
  const out: HistoryEntry[] = [{ version: 1, at: first.at, action: 'added', by: first.by, fields: [] }];
  const rows = db.prepare('SELECT version, change_id AS changeId, action, diff FROM main.grant_change WHERE grant_id = ? ORDER BY version').all(id) as { version: number; changeId: number; action: HistoryEntry['action']; diff: string }[];
  for (const r of rows) {
    const w = who(r.changeId);
    out.push({ version: r.version, at: w.at, action: r.action, by: w.by, fields: JSON.parse(r.diff) as FieldChange[] });
  }
  return out;
}

/** `import lloyds.json (sha256 3f2a…)`, `foi import --prune`, `foi log close`. */
export function describeBy(by: HistoryEntry['by']): string {
  if (!by) return 'before history was kept';
  if (by.kind === 'import') return `import of ${by.file ?? 'a file'}${by.fileSha256 ? ` (sha256 ${by.fileSha256.slice(0, 12)}…)` : ''}`;
  if (by.kind === 'prune') return `foi import --prune${by.file ? ` of ${by.file}` : ''}`;
  return by.command ?? 'a command';
}
