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
const BOOKKEEPING = new Set(['content_hash', 'version', 'changed_at', 'change_id', 'created_change', 'grant_rowid', '_rowid', 'source_position', 'source_document']);

const HISTORY_TABLES = new Set(['grant_version', 'grant_change']);

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
  constructor(db: Db) {
    this.grant = db.prepare('SELECT rowid AS _rowid, * FROM main.grants WHERE id = ?');
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
  const row = snap.grants as Record<string, unknown>;
  for (const [c, v] of Object.entries(row)) {
    if (BOOKKEEPING.has(c)) continue;
    if (c.endsWith('_json') && typeof v === 'string') flattenJson(JSON.parse(v), c.replace(/_json$/, ''), put);
    else put(c, v);
  }
  for (const [t, rows] of Object.entries(snap)) {
    if (t === 'grants') continue;
    (rows as Record<string, unknown>[]).forEach((r, i) => {
      const label = rowLabel(t, r, i);
      for (const [c, v] of Object.entries(r)) {
        if (c === 'grant_id' || c === 'seq' || BOOKKEEPING.has(c)) continue;
        if (c.endsWith('_json') && typeof v === 'string') flattenJson(JSON.parse(v), `${label}.${c.replace(/_json$/, '')}`, put);
        else put(`${label}.${c}`, v);
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
    if (v === null) return '(none)';
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
  // Text search over the grants as they were: a TEMP full-text index shadows the register's.
  db.exec(`DROP TABLE IF EXISTS temp.grant_fts`);
  db.exec(`CREATE VIRTUAL TABLE temp.grant_fts USING fts5(grant_id UNINDEXED, title, description, outcomes, tokenize = 'porter unicode61')`);
  db.exec(`INSERT INTO temp.grant_fts (rowid, grant_id, title, description, outcomes)
    SELECT g.rowid, g.id, g.title, nullif(concat_ws(char(10), g.description, g.services), ''),
      (SELECT group_concat(t.outcome, char(10)) FROM grant_theme t WHERE t.grant_id = g.id)
    FROM grants g`);
}
