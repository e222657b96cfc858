/**
 * A listing's rows: the SELECT that reads each money line with its grant and names, in the order
 * asked for (src/register/query-sql.ts has the conditions), as plain objects (queryGrants) or
 * streamed one at a time (a CSV listing of a million-row register).
 *
 * Streamed rows are read as arrays (better-sqlite3's raw mode) and shown as GrantRows through
 * getters: at 100,000 rows, making an object with two dozen named properties per row, and working
 * out every derived field whether the output prints it or not, was a third of the listing's time.
 */
import type { Db } from '../db/open.js';
import { formatFinancialYear } from '../core/financial-year.js';
import { formatPeriod, type PeriodPrecision } from '../core/period.js';
import { ORDER_BY, querySql, statement, unionOfArms, type SqlPart } from './query-sql.js';
import type { CountedAs, GrantQuery, GrantRow } from './query.js';
import type { AllocationBasis, AmountStatus } from './types.js';

// Recipient and funder names are the grant's own (its org_snapshot, as its 360Giving record
// published them) where it has them, else the organisation's (the register's own records).
// (Resolving names through a memo in JavaScript instead of the four joins measured only a few
// per cent faster at a million rows, and a memo cannot query while rows stream.)
const FIELDS = [
  ['id', 'a.grant_id'], ['seq', 'a.seq'], ['title', 'g.title'],
  ['recipient', 'coalesce(rs.name, ro.name)'], ['recipientId', 'a.recipient_org_id'],
  ['funder', 'coalesce(fs.name, fo.name)'], ['funderId', 'a.funder_org_id'],
  ['fyStart', 'a.financial_year'], ['fyFrom', 'a.fy_from'], ['fyTo', 'a.fy_to'],
  ['periodStart', 'a.period_start'], ['periodEnd', 'a.period_end'], ['periodPrecision', 'a.period_precision'],
  ['period', 'coalesce(a.period_text, g.planned_period_text)'],
  ['amountPence', 'a.amount_pence'], ['amountStatus', 'a.amount_status'], ['currency', 'g.currency'], ['basis', 'a.basis'], ['stream', 'a.stream'],
  ['programme', 'g.programme_title'], ['note', 'a.note'], ['footnote', 'a.footnote'], ['superseded', 'a.superseded'],
  ['sourceRef', 'coalesce(a.source_ref, g.source_ref)'], ['sourceDocument', 'g.source_document'], ['position', 'g.source_position'],
  // Listed but not counted: over several years, not all asked for (query-sql.ts `outside`).
  ['outside', '@outside'],
] as const;

type Field = (typeof FIELDS)[number][0];
const ALL_FIELDS: readonly Field[] = FIELDS.map(([name]) => name);

/** The stored fields a GrantRow field is worked out from (the others are stored as they are). */
const DERIVED_FROM: Partial<Record<keyof GrantRow, readonly Field[]>> = {
  financialYear: ['fyStart'],
  period: ['period', 'periodStart', 'periodEnd', 'periodPrecision'],
  multiYear: ['fyFrom', 'fyTo'],
  countedAs: ['superseded', 'amountPence', 'outside', 'basis'],
};

/** The fields each row order sorts by (see ORDER_BY). */
const ORDER_FIELDS: Record<GrantQuery['order'], readonly Field[]> = {
  year: ['fyFrom', 'title', 'id', 'seq'],
  name: ['title', 'id', 'fyFrom', 'seq'],
  register: ['sourceDocument', 'position', 'id', 'seq'],
  amount: ['amountPence', 'fyFrom', 'title', 'id', 'seq'],
};

/** The stored fields to read for `wanted` (and the order), in FIELDS order. */
function storedFields(wanted: readonly (keyof GrantRow)[], order: GrantQuery['order']): Field[] {
  const need = new Set<string>(ORDER_FIELDS[order]);
  for (const f of wanted) for (const x of DERIVED_FROM[f] ?? [f]) need.add(x);
  return ALL_FIELDS.filter((f) => need.has(f));
}

const FIELD_SQL = new Map<string, string>(FIELDS);
const JOINS = `
  FROM allocation a
  JOIN grants g ON g.rowid = a.grant_rowid
  LEFT JOIN organisation ro ON ro.id = a.recipient_org_id
  LEFT JOIN organisation fo ON fo.id = a.funder_org_id
  LEFT JOIN org_snapshot rs ON rs.id = g.recipient_snapshot_id AND rs.org_id = a.recipient_org_id
  LEFT JOIN org_snapshot fs ON fs.id = g.funder_snapshot_id AND fs.org_id = a.funder_org_id`;

/**
 * The SQL of a listing: the rows the criteria select (and `extra` conditions), in the order asked
 * for, with the stored `fields` (all unless a caller reads only some).
 */
export function listingSql(q: GrantQuery, extra: SqlPart[] = [], fields: readonly Field[] = ALL_FIELDS): SqlPart {
  const s = querySql(q);
  const conds = [...(q.includeWithdrawn ? [] : [{ sql: 'g.withdrawn_at IS NULL', params: [] }]), ...extra];
  const select = `SELECT ${fields.map((f) => `${FIELD_SQL.get(f)} AS ${f}`).join(', ')}${JOINS}`;
  const union = unionOfArms(select.replace('@outside', s.outside.sql), s, conds, fields.includes('outside') ? s.outside.params : []);
  return { sql: `${s.arms.length > 1 ? `SELECT * FROM (${union.sql})` : union.sql}\nORDER BY ${ORDER_BY[q.order]}`, params: union.params };
}

type RawRow = Omit<GrantRow, 'superseded' | 'multiYear' | 'countedAs' | 'financialYear'> & {
  superseded: number | boolean;
  periodStart: string | null;
  periodEnd: string | null;
  periodPrecision: PeriodPrecision | null;
  sourceDocument: string | null;
  position: number | null;
  outside: number;
};

/** The derived fields, from the stored ones (one definition for objects and streamed rows). */
const isSuperseded = (v: unknown): boolean => v === 1 || v === true;
const isMultiYear = (fyFrom: number | null, fyTo: number | null): boolean => fyFrom !== null && fyTo !== null && fyFrom !== fyTo;
function periodWords(r: Pick<RawRow, 'period' | 'periodStart' | 'periodEnd' | 'periodPrecision'>): string | null {
  return r.periodStart && r.periodEnd && r.periodPrecision ? formatPeriod({ start: r.periodStart, end: r.periodEnd, precision: r.periodPrecision }) : r.period;
}
function countedAs(superseded: boolean, amountPence: number | null, outside: unknown, basis: AllocationBasis): CountedAs {
  return superseded ? 'superseded' : amountPence === null ? 'no-amount' : outside ? 'outside' : basis === 'maximum' ? 'maximum' : 'total';
}

/**
 * Make a row object a GrantRow in place: at a million-row register a query can return 100,000
 * rows, and copying each one costs more than the query.
 */
function completeRow(raw: RawRow): GrantRow {
  const r = raw as RawRow & GrantRow;
  r.superseded = isSuperseded(raw.superseded);
  r.multiYear = isMultiYear(r.fyFrom, r.fyTo);
  r.financialYear = r.fyStart === null ? null : formatFinancialYear(r.fyStart);
  r.period = periodWords(raw);
  r.countedAs = countedAs(r.superseded, r.amountPence, raw.outside, r.basis);
  return r;
}

/** The rows a listing's SQL selects, as objects. */
export function grantRows(db: Db, { sql, params }: SqlPart): GrantRow[] {
  return (statement(db, sql).raw(false).all(...params) as RawRow[]).map(completeRow);
}

/** Where each stored field is in a streamed row's array (absent: not read by this listing). */
type Index = Partial<Record<Field, number>>;

/**
 * A streamed row: the stored values as SQLite returned them, the derived ones worked out when
 * read. Only the fields its listing asked for are there (streamGrants's type says which).
 */
class StreamedRow implements GrantRow {
  constructor(private readonly v: unknown[], private readonly i: Index) {}
  private get<T>(f: Field): T { return this.v[this.i[f]!] as T; }
  get id(): string { return this.get('id'); }
  get seq(): number { return this.get('seq'); }
  get title(): string { return this.get('title'); }
  get recipient(): string | null { return this.get('recipient'); }
  get recipientId(): string | null { return this.get('recipientId'); }
  get funder(): string | null { return this.get('funder'); }
  get funderId(): string | null { return this.get('funderId'); }
  get fyStart(): number | null { return this.get('fyStart'); }
  get fyFrom(): number | null { return this.get('fyFrom'); }
  get fyTo(): number | null { return this.get('fyTo'); }
  get financialYear(): string | null { return this.fyStart === null ? null : formatFinancialYear(this.fyStart); }
  get period(): string | null {
    return periodWords({ period: this.get('period'), periodStart: this.get('periodStart'), periodEnd: this.get('periodEnd'), periodPrecision: this.get('periodPrecision') });
  }
  get multiYear(): boolean { return isMultiYear(this.fyFrom, this.fyTo); }
  get amountPence(): number | null { return this.get('amountPence'); }
  get amountStatus(): AmountStatus { return this.get('amountStatus'); }
  get currency(): string { return this.get('currency'); }
  get basis(): AllocationBasis { return this.get('basis'); }
  get stream(): string | null { return this.get('stream'); }
  get programme(): string | null { return this.get('programme'); }
  get note(): string | null { return this.get('note'); }
  get footnote(): string | null { return this.get('footnote'); }
  get superseded(): boolean { return isSuperseded(this.get('superseded')); }
  get sourceRef(): string | null { return this.get('sourceRef'); }
  get countedAs(): CountedAs { return countedAs(this.superseded, this.amountPence, this.get('outside'), this.basis); }
}

/**
 * The criteria's rows, one at a time in order, never all held at once; with `wanted`, only those
 * fields are read (a CSV listing prints a dozen of the two dozen, and each costs time per row).
 */
export function streamGrants(db: Db, q: GrantQuery): Generator<GrantRow>;
export function streamGrants<K extends keyof GrantRow>(db: Db, q: GrantQuery, wanted: readonly K[]): Generator<Pick<GrantRow, K>>;
export function* streamGrants(db: Db, q: GrantQuery, wanted?: readonly (keyof GrantRow)[]): Generator<GrantRow> {
  const fields = wanted ? storedFields(wanted, q.order) : ALL_FIELDS;
  const index: Index = Object.fromEntries(fields.map((f, i) => [f, i]));
  const { sql, params } = listingSql(q, [], fields);
  for (const v of statement(db, sql).raw(true).iterate(...params)) yield new StreamedRow(v as unknown[], index);
}
