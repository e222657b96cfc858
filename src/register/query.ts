/**
 * Querying the register by UK financial year and criteria. A query row is one money line
 * (allocation) of a grant: a grant with yearly budgets gives one row per year, a split award one
 * row per recipient, a co-funded programme one row per funder. Superseded lines (an original
 * budget replaced by a revised one) are left out unless asked for.
 */
import type { Db } from '../db/open.js';
import { DataError, UsageError, knownList } from '../core/errors.js';
import { grantRows, listingSql } from './query-rows.js';
import { statement } from './query-sql.js';
import type { AllocationBasis, AmountStatus, FlagValue } from './types.js';

export { ftsQuery } from './query-sql.js';
export { listingSql, streamGrants } from './query-rows.js';

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

/** What `foi grants --totals-only` reports, from the rows or from one aggregate (query-totals.ts). */
export interface QueryTotals {
  count: number;
  /** GBP stated amounts counted (see `totals` for every currency). */
  totalPence: number;
  /** GBP "up to" amounts (maxima), never part of totalPence. */
  maximumPence: number;
  /** One entry per currency, GBP first; amounts in different currencies are never added. */
  totals: CurrencyTotal[];
  /** Rows whose amount is unknown or not held (they add nothing to the total, and the total says so). */
  rowsWithoutAmount: number;
  /** Superseded budgets listed (only with includeSuperseded): never counted. */
  superseded: number;
  /** Rows listed but left out of the totals because they cover years outside the query, in row order. */
  outside: GrantRow[];
}

export interface QueryResult extends QueryTotals {
  /** In the order asked for. */
  rows: GrantRow[];
}

/** The budget and ceiling words a `basis` column and notes use. */
export const BASIS_LABELS: Record<AllocationBasis, string> = {
  award: 'award', budget: 'budget', original: 'original budget', revised: 'revised budget', allocation: 'allocation',
  grant: 'grant', match: 'match funding', maximum: 'up to',
};

/** Resolve theme names or labels (case-insensitive) to stored names; one the register does not know is an error (exit 1). */
export function resolveThemes(db: Db, themes: string[]): string[] {
  if (!themes.length) return [];
  const all = statement(db, 'SELECT name, label FROM theme ORDER BY name').raw(false).all() as { name: string; label: string }[];
  return themes.map((t) => {
    const k = t.trim().toLowerCase();
    const hit = all.find((x) => x.name === k || x.label.toLowerCase() === k);
    if (!hit) throw new DataError(`unknown theme "${t}"; ${knownList(all.map((x) => x.name))}`);
    return hit.name;
  });
}

/** `--flag non-ex-intimate=y`: a malformed one is a usage error, a flag the register does not know an error (exit 1). */
export function parseFlagFilters(db: Db, specs: string[]): { name: string; value: FlagValue }[] {
  if (!specs.length) return [];
  const known = (statement(db, 'SELECT name FROM flag_def ORDER BY name').raw(true).all() as [string][]).map((r) => r[0]);
  return specs.map((spec) => {
    const m = /^([^=]+)=(.*)$/.exec(spec.trim());
    if (!m) throw new UsageError(`--flag "${spec}": write it as NAME=y or NAME=n (${knownList(known)})`);
    const name = m[1].trim();
    const v = m[2].trim().toLowerCase();
    if (!known.includes(name)) throw new DataError(`unknown flag "${name}"; ${knownList(known)}`);
    const value: FlagValue | null = v === 'y' || v === 'yes' ? 'y' : v === 'n' || v === 'no' ? 'n' : v === 'unknown' ? 'unknown' : null;
    if (!value) throw new UsageError(`--flag ${name}: "${m[2]}" is not y, n or unknown`);
    return { name, value };
  });
}

/** The criteria's rows with their count and totals, added up row by row. */
export function queryGrants(db: Db, q: GrantQuery): QueryResult {
  const rows = grantRows(db, listingSql(q));
  const totals = new Map<string, CurrencyTotal>();
  let without = 0;
  let superseded = 0;
  const outside: GrantRow[] = [];
  for (const r of rows) {
    if (r.amountPence === null) without++;
    if (r.superseded) superseded++;
    let t = totals.get(r.currency);
    if (!t) totals.set(r.currency, (t = { currency: r.currency, totalPence: 0, maximumPence: 0, outsidePence: 0 }));
    if (r.countedAs === 'total') t.totalPence += r.amountPence!;
    else if (r.countedAs === 'maximum') t.maximumPence += r.amountPence!;
    else if (r.countedAs === 'outside') {
      t.outsidePence += r.amountPence!;
      outside.push(r);
    }
  }
  return { ...summarise(rows.length, [...totals.values()], without, superseded, outside), rows };
}

/** Count and totals, GBP first (shared by the row-by-row totals above and the SQL ones). */
export function summarise(count: number, totals: CurrencyTotal[], rowsWithoutAmount: number, superseded: number, outside: GrantRow[]): QueryTotals {
  const list = totals.sort((a, b) => (a.currency === 'GBP' ? -1 : b.currency === 'GBP' ? 1 : a.currency < b.currency ? -1 : 1));
  const gbp = list.find((t) => t.currency === 'GBP');
  return { count, totalPence: gbp?.totalPence ?? 0, maximumPence: gbp?.maximumPence ?? 0, totals: list, rowsWithoutAmount, superseded, outside };
}

/** Financial years that at least one money line covers, ascending. */
export function yearsInRegister(db: Db): number[] {
  const spans = statement(db, 'SELECT DISTINCT fy_from, fy_to FROM allocation WHERE fy_from IS NOT NULL').raw(true).all() as [number, number][];
  const years = new Set<number>();
  for (const [from, to] of spans) for (let y = from; y <= to; y++) years.add(y);
  return [...years].sort((a, b) => a - b);
}

/**
 * Whether any money line covers one of `years` (the same as asking yearsInRegister, but a search
 * of the year index instead of a scan of every line: letters ask it for every question).
 */
export function holdsAnyYear(db: Db, years: readonly number[]): boolean {
  if (!years.length) return false;
  const covers = years.map(() => '(a.fy_from <= ? AND a.fy_to >= ?)').join(' OR ');
  const sql = `SELECT 1 FROM allocation a WHERE a.financial_year IN (${years.map(() => '?').join(', ')})
    UNION ALL SELECT 1 FROM allocation a WHERE a.financial_year IS NULL AND (${covers}) LIMIT 1`;
  return statement(db, sql).raw(true).all(...years, ...years.flatMap((y) => [y, y])).length > 0;
}
