/**
 * Querying the register by UK financial year and criteria. A query row is one money line
 * (allocation) of a grant: a grant with yearly budgets gives one row per year, a split award one
 * row per recipient, a co-funded programme one row per funder. Superseded lines (an original
 * budget replaced by a revised one) are left out unless asked for.
 */
import type { Db } from '../db/open.js';
import { UsageError, knownList } from '../core/errors.js';
import { formatFinancialYear } from '../core/financial-year.js';
import type { AllocationBasis, AmountStatus, FlagValue } from './types.js';

export interface GrantQuery {
  years: number[];
  themes: string[];
  text: string | null;
  recipient: string | null;
  funder: string | null;
  programme: string | null;
  minPence: number | null;
  maxPence: number | null;
  flags: { name: string; value: FlagValue }[];
  grantIds: string[];
  includeSuperseded: boolean;
  /** 360Giving classifications: each must match a classification's code (exactly, any case) or title (part). */
  classifications?: string[];
}

export function emptyQuery(): GrantQuery {
  return { years: [], themes: [], text: null, recipient: null, funder: null, programme: null, minPence: null, maxPence: null, flags: [], grantIds: [], includeSuperseded: false };
}

export interface GrantRow {
  id: string;
  seq: number;
  title: string;
  recipient: string | null;
  recipientId: string | null;
  funder: string | null;
  funderId: string | null;
  financialYear: string | null;
  fyStart: number | null;
  period: string | null;
  amountPence: number | null;
  /** ISO 4217 code of amountPence: the grant's currency, which applies to all its lines. */
  currency: string;
  amountStatus: AmountStatus;
  basis: AllocationBasis;
  stream: string | null;
  programme: string | null;
  note: string | null;
  superseded: boolean;
  sourceRef: string | null;
}

export interface QueryResult {
  count: number;
  totalPence: number;
  /** Rows whose amount is unknown or not held (they add nothing to the total, and the total says so). */
  rowsWithoutAmount: number;
  rows: GrantRow[];
}

/** Resolve theme names or labels (case-insensitive) to stored names; unknown ones are a usage error. */
export function resolveThemes(db: Db, themes: string[]): string[] {
  if (!themes.length) return [];
  const all = db.prepare('SELECT name, label FROM theme ORDER BY name').all() as { name: string; label: string }[];
  return themes.map((t) => {
    const k = t.trim().toLowerCase();
    const hit = all.find((x) => x.name === k || x.label.toLowerCase() === k);
    if (!hit) throw new UsageError(`unknown theme "${t}"; ${knownList(all.map((x) => x.name))}`);
    return hit.name;
  });
}

/** `--flag non-ex-intimate=y` */
export function parseFlagFilters(db: Db, specs: string[]): { name: string; value: FlagValue }[] {
  if (!specs.length) return [];
  const known = db.prepare('SELECT name FROM flag_def ORDER BY name').pluck().all() as string[];
  return specs.map((spec) => {
    const m = /^([^=]+)=(.*)$/.exec(spec.trim());
    if (!m) throw new UsageError(`--flag "${spec}": write it as NAME=y or NAME=n (${knownList(known)})`);
    const name = m[1].trim();
    const v = m[2].trim().toLowerCase();
    if (!known.includes(name)) throw new UsageError(`unknown flag "${name}"; ${knownList(known)}`);
    const value: FlagValue | null = v === 'y' || v === 'yes' ? 'y' : v === 'n' || v === 'no' ? 'n' : v === 'unknown' ? 'unknown' : null;
    if (!value) throw new UsageError(`--flag ${name}: "${m[2]}" is not y, n or unknown`);
    return { name, value };
  });
}

/** Turn free text into a safe FTS5 query: every word must appear (prefix match on the last). */
export function ftsQuery(text: string): string | null {
  const words = text.match(/[\p{L}\p{N}]+/gu) ?? [];
  if (!words.length) return null;
  return words.map((w, i) => `"${w}"${i === words.length - 1 ? '*' : ''}`).join(' ');
}

// Recipient and funder names are the grant's own (its org_snapshot, as its 360Giving record
// published them) where it has them, else the organisation's (the register's own records).
const SELECT = `
  SELECT a.grant_id AS id, a.seq AS seq, g.title AS title,
         coalesce(rs.name, ro.name) AS recipient, a.recipient_org_id AS recipientId,
         coalesce(fs.name, fo.name) AS funder, a.funder_org_id AS funderId,
         a.financial_year AS fyStart, coalesce(a.period_text, g.planned_period_text) AS period,
         a.amount_pence AS amountPence, g.currency AS currency, a.amount_status AS amountStatus, a.basis AS basis, a.stream AS stream,
         g.programme_title AS programme, a.note AS note, a.superseded AS superseded,
         coalesce(a.source_ref, g.source_ref) AS sourceRef
  FROM allocation a
  JOIN grants g ON g.rowid = a.grant_rowid
  LEFT JOIN organisation ro ON ro.id = a.recipient_org_id
  LEFT JOIN organisation fo ON fo.id = a.funder_org_id
  LEFT JOIN org_snapshot rs ON rs.id = g.recipient_snapshot_id AND rs.org_id = a.recipient_org_id
  LEFT JOIN org_snapshot fs ON fs.id = g.funder_snapshot_id AND fs.org_id = a.funder_org_id`;

export function queryGrants(db: Db, q: GrantQuery): QueryResult {
  const where: string[] = [];
  const params: unknown[] = [];
  if (!q.includeSuperseded) where.push('a.superseded = 0');
  if (q.years.length) {
    where.push(`a.financial_year IN (${q.years.map(() => '?').join(', ')})`);
    params.push(...q.years);
  }
  for (const theme of q.themes) {
    where.push('EXISTS (SELECT 1 FROM grant_theme t WHERE t.grant_id = a.grant_id AND t.theme = ?)');
    params.push(theme);
  }
  for (const f of q.flags) {
    where.push('EXISTS (SELECT 1 FROM grant_flag f WHERE f.grant_id = a.grant_id AND f.flag = ? AND f.value = ?)');
    params.push(f.name, f.value);
  }
  if (q.text) {
    const fts = ftsQuery(q.text);
    if (!fts) throw new UsageError(`--text "${q.text}" has no words to search for`);
    where.push('g.rowid IN (SELECT rowid FROM grant_fts WHERE grant_fts MATCH ?)');
    params.push(fts);
  }
  if (q.recipient) {
    // Match organisations first (a small table), then use the allocation index on recipient.
    // Any name the org-id has been published under: a grant is found by the name it shows.
    where.push(`a.recipient_org_id IN (SELECT id FROM organisation WHERE id = ? OR name LIKE ? ESCAPE '\\'
      UNION SELECT org_id FROM organisation_name WHERE name LIKE ? ESCAPE '\\')`);
    params.push(q.recipient, like(q.recipient), like(q.recipient));
  }
  if (q.funder) {
    where.push(`(a.funder_org_id IN (SELECT id FROM organisation WHERE id = ? OR name LIKE ? ESCAPE '\\'
      UNION SELECT org_id FROM organisation_name WHERE name LIKE ? ESCAPE '\\') OR a.stream LIKE ? ESCAPE '\\')`);
    params.push(q.funder, like(q.funder), like(q.funder), like(q.funder));
  }
  if (q.programme) {
    where.push(`(g.programme_code = ? OR g.programme_title LIKE ? ESCAPE '\\')`);
    params.push(q.programme, like(q.programme));
  }
  for (const c of q.classifications ?? []) {
    where.push(`EXISTS (SELECT 1 FROM grant_classification c WHERE c.grant_id = a.grant_id AND (c.code = ? COLLATE NOCASE OR c.title LIKE ? ESCAPE '\\'))`);
    params.push(c, like(c));
  }
  if (q.minPence !== null) {
    where.push('a.amount_pence >= ?');
    params.push(q.minPence);
  }
  if (q.maxPence !== null) {
    where.push('a.amount_pence <= ?');
    params.push(q.maxPence);
  }
  if (q.grantIds.length) {
    where.push(`a.grant_id IN (${q.grantIds.map(() => '?').join(', ')})`);
    params.push(...q.grantIds);
  }
  const sql = `${SELECT}${where.length ? `\n  WHERE ${where.join('\n    AND ')}` : ''}`;
  const raw = statement(db, sql).all(...params) as (Omit<GrantRow, 'superseded'> & { superseded: number | boolean })[];
  // Sorted here rather than by SQLite's sorter, which costs several times more for wide rows.
  // Plain code-unit comparison, as SQLite's BINARY collation, so the order never depends on locale.
  raw.sort(compareRows);
  let total = 0;
  let without = 0;
  // Rows are completed in place: at a million-row register a query can return 100,000 rows,
  // and copying each one costs more than the query.
  for (const r of raw) {
    if (r.amountPence === null) without++;
    else if (!r.superseded) total += r.amountPence;
    r.financialYear = r.fyStart === null ? null : formatFinancialYear(r.fyStart);
    r.superseded = r.superseded === 1 || r.superseded === true;
  }
  const rows = raw as GrantRow[];
  return { count: rows.length, totalPence: total, rowsWithoutAmount: without, rows };
}

type Statement = { all(...params: unknown[]): unknown[] };
const statements = new WeakMap<Db, Map<string, Statement>>();

/** Prepared statements are reused per register: the same criteria shape gives the same SQL. */
function statement(db: Db, sql: string): Statement {
  let m = statements.get(db);
  if (!m) statements.set(db, (m = new Map()));
  let st = m.get(sql);
  if (!st) m.set(sql, (st = db.prepare(sql) as unknown as Statement));
  return st;
}

/** Year (no year last), then grant title, id and line number. */
function compareRows(a: { fyStart: number | null; title: string; id: string; seq: number }, b: typeof a): number {
  if (a.fyStart !== b.fyStart) {
    if (a.fyStart === null) return 1;
    if (b.fyStart === null) return -1;
    return a.fyStart - b.fyStart;
  }
  if (a.title !== b.title) return a.title < b.title ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return a.seq - b.seq;
}

function like(s: string): string {
  return `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Financial years that have at least one money line, ascending. */
export function yearsInRegister(db: Db): number[] {
  return db.prepare('SELECT DISTINCT financial_year FROM allocation WHERE financial_year IS NOT NULL ORDER BY 1').pluck().all() as number[];
}
