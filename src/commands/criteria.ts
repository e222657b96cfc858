/**
 * The grant criteria `foi grants` and `foi export 360giving` share, as a GrantQuery (the options
 * themselves are in criteria-options.ts, which the command line loads for every command).
 */
import type { Db } from '../db/open.js';
import { UsageError } from '../core/errors.js';
import { parseFinancialYearList } from '../core/financial-year.js';
import { parseMoney } from '../core/money.js';
import { emptyQuery, parseFlagFilters, resolveThemes, type GrantQuery } from '../register/query.js';
import type { CriteriaOpts } from './criteria-options.js';

export type { CriteriaOpts };

function amountOption(name: string, v: string | undefined): number | null {
  if (v === undefined) return null;
  const m = parseMoney(v);
  if (!m.ok) throw new UsageError(`${name} "${v}": ${m.reason}`);
  return m.pence;
}

/** The query the options ask for (themes and flags checked against the register). */
export function criteriaQuery(db: Db, opts: CriteriaOpts): GrantQuery {
  const q = emptyQuery();
  q.years = parseFinancialYearList(opts.fy);
  q.activeIn = parseFinancialYearList(opts.activeIn);
  q.themes = resolveThemes(db, opts.theme);
  q.text = opts.text ?? null;
  q.recipient = opts.recipient ?? null;
  q.funder = opts.funder ?? null;
  q.programme = opts.programme ?? null;
  q.minPence = amountOption('--min', opts.min);
  q.maxPence = amountOption('--max', opts.max);
  q.flags = parseFlagFilters(db, opts.flag);
  q.classifications = opts.classification ?? [];
  q.includeSuperseded = !!opts.includeSuperseded;
  q.includeWithdrawn = !!opts.includeWithdrawn;
  return q;
}
