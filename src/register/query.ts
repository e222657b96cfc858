/**
 * Querying the register by UK financial year and criteria. A query row is one money line
 * (allocation) of a grant: a grant with yearly budgets gives one row per year, a split award one
 * row per recipient, a co-funded programme one row per funder. Superseded lines (an original
 * budget replaced by a revised one) are left out unless asked for.
 */
import type { Db } from '../db/open.js';
import { UsageError, knownList } from '../core/errors.js';
import { financialYearBounds, formatFinancialYear } from '../core/financial-year.js';
import { formatPeriod, type PeriodPrecision } from '../core/period.js';
import type { AllocationBasis, AmountStatus, FlagValue } from './types.js';

export type RowOrder = 'year' | 'name' | 'register' | 'amount';
export const ROW_ORDERS: readonly RowOrder[] = ['year', 'name', 'register', 'amount'];

export interface GrantQuery {
  /** Financial years (start years): a line matches in every year its period overlaps. */
  years: number[];
  /** Financial years the grant's planned dates overlap ("running in", not "awarded in"). */
  activeIn: number[];
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
  /** Also list grants marked withdrawn (no longer in their source); letters never do. */
  includeWithdrawn?: boolean;
  order: RowOrder;
  /** 360Giving classifications: each must match a classification's code (exactly, any case) or title (part). */
  classifications?: string[];
}

export function emptyQuery(): GrantQuery {
  return {
    years: [], activeIn: [], themes: [], text: null, recipient: null, funder: null, programme: null, minPence: null, maxPence: null,
    flags: [], grantIds: [], includeSuperseded: false, order: 'year',
  };
}

/**
 * How a row's amount enters the totals: counted (`total`), as a ceiling (`maximum`, never added
 * to money awarded), or not at all: a line over several financial years in a query for some of
 * them (`outside`: it is not that year's money), a superseded budget, or no amount stated.
 */
export type CountedAs = 'total' | 'maximum' | 'outside' | 'superseded' | 'no-amount';

export interface GrantRow {
  id: string;
  seq: number;
  title: string;
  recipient: string | null;
  recipientId: string | null;
  funder: string | null;
  funderId: string | null;
  /** `2017-18` for a line within one financial year, else null. */
  financialYear: string | null;
  /** Start year of the line's financial year (one-year lines only). */
  fyStart: number | null;
  /** First and last financial years the line's period overlaps (null: no period stated). */
  fyFrom: number | null;
  fyTo: number | null;
  /** The period in words at the source's precision: `2019-20`, `2023 to 2025`, `March 2020`. */
  period: string | null;
  /** The line covers more than one financial year and is not split by year. */
  multiYear: boolean;
  amountPence: number | null;
  amountStatus: AmountStatus;
  currency: string;
  basis: AllocationBasis;
  stream: string | null;
  programme: string | null;
  /** For officers only: never printed in letters. */
  note: string | null;
  /** For the requester: letters print it as a numbered note to the figure. */
  footnote: string | null;
  superseded: boolean;
  sourceRef: string | null;
  countedAs: CountedAs;
}

export interface CurrencyTotal {
  currency: string;
  /** Stated amounts counted for the criteria. */
  totalPence: number;
  /** "Up to" amounts: ceilings, never added to the total. */
  maximumPence: number;
  /** Lines over several financial years listed for the years asked about, but not added. */
  outsidePence: number;
}

export interface QueryResult {
  count: number;
  /** GBP stated amounts counted (see `totals` for every currency). */
  totalPence: number;
  /** GBP "up to" amounts (maxima), never part of totalPence. */
  maximumPence: number;
  /** One entry per currency, GBP first; amounts in different currencies are never added. */
  totals: CurrencyTotal[];
  /** Rows whose amount is unknown or not held (they add nothing to the total, and the total says so). */
  rowsWithoutAmount: number;
  /** Rows listed but left out of the totals because they cover years outside the query. */
  outside: GrantRow[];
  rows: GrantRow[];
}

/** The budget and ceiling words a `basis` column and notes use. */
export const BASIS_LABELS: Record<AllocationBasis, string> = {
  award: 'award', budget: 'budget', original: 'original budget', revised: 'revised budget', allocation: 'allocation',
  grant: 'grant', match: 'match funding', maximum: 'up to',
};

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
         a.financial_year AS fyStart, a.fy_from AS fyFrom, a.fy_to AS fyTo,
         a.period_start AS periodStart, a.period_end AS periodEnd, a.period_precision AS periodPrecision,
         coalesce(a.period_text, g.planned_period_text) AS period,
         a.amount_pence AS amountPence, a.amount_status AS amountStatus, g.currency AS currency, a.basis AS basis, a.stream AS stream,
         g.programme_title AS programme, a.note AS note, a.footnote AS footnote, a.superseded AS superseded,
         coalesce(a.source_ref, g.source_ref) AS sourceRef, g.source_document AS sourceDocument, g.source_position AS position
  FROM allocation a
  JOIN grants g ON g.rowid = a.grant_rowid
  LEFT JOIN organisation ro ON ro.id = a.recipient_org_id
  LEFT JOIN organisation fo ON fo.id = a.funder_org_id
  LEFT JOIN org_snapshot rs ON rs.id = g.recipient_snapshot_id AND rs.org_id = a.recipient_org_id
  LEFT JOIN org_snapshot fs ON fs.id = g.funder_snapshot_id AND fs.org_id = a.funder_org_id`;

type RawRow = Omit<GrantRow, 'superseded' | 'multiYear' | 'countedAs'> & {
  superseded: number | boolean;
  periodStart: string | null;
  periodEnd: string | null;
  periodPrecision: PeriodPrecision | null;
  sourceDocument: string | null;
  position: number | null;
  multiYear?: boolean;
  countedAs?: CountedAs;
};

export function queryGrants(db: Db, q: GrantQuery): QueryResult {
  const where: string[] = [];
  const params: unknown[] = [];
  if (!q.includeSuperseded) where.push('a.superseded = 0');
  if (!q.includeWithdrawn) where.push('g.withdrawn_at IS NULL');
  const years = [...new Set(q.years)].sort((x, y) => x - y);
  if (years.length) {
    // One-year lines by their year; lines over several years by their span (checked exactly below
    // when the years asked for are not a run).
    where.push(`(a.financial_year IN (${years.map(() => '?').join(', ')}) OR (a.financial_year IS NULL AND a.fy_from <= ? AND a.fy_to >= ?))`);
    params.push(...years, years[years.length - 1], years[0]);
  }
  if (q.activeIn.length) {
    where.push(`(${q.activeIn.map(() => '(coalesce(g.planned_start, g.planned_end) <= ? AND coalesce(g.planned_end, g.planned_start) >= ?)').join(' OR ')})`);
    for (const y of q.activeIn) {
      const b = financialYearBounds(y);
      params.push(b.to, b.from);
    }
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
  let raw = statement(db, sql).all(...params) as RawRow[];
  const yearSet = new Set(years);
  const isRun = years.length > 0 && years[years.length - 1] - years[0] + 1 === years.length;
  if (years.length && !isRun) raw = raw.filter((r) => r.fyStart !== null || overlaps(r, yearSet));
  // Sorted here rather than by SQLite's sorter, which costs several times more for wide rows.
  // Plain code-unit comparison, as SQLite's BINARY collation, so the order never depends on locale.
  raw.sort(COMPARE[q.order]);
  const totals = new Map<string, CurrencyTotal>();
  let without = 0;
  const outside: GrantRow[] = [];
  // Rows are completed in place: at a million-row register a query can return 100,000 rows,
  // and copying each one costs more than the query.
  for (const r of raw) {
    r.superseded = r.superseded === 1 || r.superseded === true;
    r.multiYear = r.fyFrom !== null && r.fyTo !== null && r.fyFrom !== r.fyTo;
    r.financialYear = r.fyStart === null ? null : formatFinancialYear(r.fyStart);
    if (r.periodStart && r.periodEnd && r.periodPrecision) r.period = formatPeriod({ start: r.periodStart, end: r.periodEnd, precision: r.periodPrecision });
    const counted: CountedAs = r.superseded ? 'superseded'
      : r.amountPence === null ? 'no-amount'
        : r.multiYear && years.length && !within(r, yearSet) ? 'outside'
          : r.basis === 'maximum' ? 'maximum' : 'total';
    r.countedAs = counted;
    if (r.amountPence === null) without++;
    let t = totals.get(r.currency);
    if (!t) totals.set(r.currency, (t = { currency: r.currency, totalPence: 0, maximumPence: 0, outsidePence: 0 }));
    if (counted === 'total') t.totalPence += r.amountPence!;
    else if (counted === 'maximum') t.maximumPence += r.amountPence!;
    else if (counted === 'outside') {
      t.outsidePence += r.amountPence!;
      outside.push(r as unknown as GrantRow);
    }
  }
  const rows = raw as unknown as GrantRow[];
  const list = [...totals.values()].sort((a, b) => (a.currency === 'GBP' ? -1 : b.currency === 'GBP' ? 1 : a.currency < b.currency ? -1 : 1));
  const gbp = totals.get('GBP');
  return {
    count: rows.length, totalPence: gbp?.totalPence ?? 0, maximumPence: gbp?.maximumPence ?? 0, totals: list,
    rowsWithoutAmount: without, outside, rows,
  };
}

function overlaps(r: { fyFrom: number | null; fyTo: number | null }, years: Set<number>): boolean {
  if (r.fyFrom === null || r.fyTo === null) return false;
  for (let y = r.fyFrom; y <= r.fyTo; y++) if (years.has(y)) return true;
  return false;
}

/** Every year of the line's span was asked for: its whole amount belongs to the answer. */
function within(r: { fyFrom: number | null; fyTo: number | null }, years: Set<number>): boolean {
  if (r.fyFrom === null || r.fyTo === null) return false;
  for (let y = r.fyFrom; y <= r.fyTo; y++) if (!years.has(y)) return false;
  return true;
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

type Sortable = { fyFrom: number | null; title: string; id: string; seq: number; amountPence: number | null; sourceDocument: string | null; position: number | null };

const byYear = (a: Sortable, b: Sortable): number => {
  if (a.fyFrom === b.fyFrom) return 0;
  if (a.fyFrom === null) return 1;
  if (b.fyFrom === null) return -1;
  return a.fyFrom - b.fyFrom;
};
const byText = (x: string | null, y: string | null): number => (x === y ? 0 : x === null ? 1 : y === null ? -1 : x < y ? -1 : 1);
const byTitle = (a: Sortable, b: Sortable): number => byText(a.title, b.title) || byText(a.id, b.id);
const byNumber = (x: number | null, y: number | null): number => (x === y ? 0 : x === null ? 1 : y === null ? -1 : x - y);
const byPosition = (a: Sortable, b: Sortable): number => byText(a.sourceDocument, b.sourceDocument) || byNumber(a.position, b.position);

/** Row orders: every one ends with the grant id and line number, so ties never depend on the engine. */
const COMPARE: Record<RowOrder, (a: Sortable, b: Sortable) => number> = {
  // Year (no year last), then grant title, id and line number.
  year: (a, b) => byYear(a, b) || byTitle(a, b) || a.seq - b.seq,
  name: (a, b) => byTitle(a, b) || byYear(a, b) || a.seq - b.seq,
  // The order of the source document (grants as they came, lines as numbered).
  register: (a, b) => byPosition(a, b) || byText(a.id, b.id) || a.seq - b.seq,
  // Largest first; no amount last.
  amount: (a, b) => (b.amountPence ?? -1) - (a.amountPence ?? -1) || byYear(a, b) || byTitle(a, b) || a.seq - b.seq,
};

function like(s: string): string {
  return `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Financial years that at least one money line covers, ascending. */
export function yearsInRegister(db: Db): number[] {
  const spans = db.prepare('SELECT DISTINCT fy_from, fy_to FROM allocation WHERE fy_from IS NOT NULL').raw().all() as [number, number][];
  const years = new Set<number>();
  for (const [from, to] of spans) for (let y = from; y <= to; y++) years.add(y);
  return [...years].sort((a, b) => a - b);
}
