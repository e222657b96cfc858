/**
 * Count and total for "any criteria" (issue 9's totals target): a matrix of the criteria
 * `foi grants` accepts, alone, in pairs and in a few triples, each with no financial year, one
 * year and a range of years, as typed on the command line. bench/measure-totals-matrix.ts times
 * every one; the bench (step-query.ts) times them too and reports the slowest.
 *
 * The values suit the million-row register the bench imports (bench/lib/gen-csv.ts: the Lloyds
 * Bank Foundation file replicated): "community" is in a fifth of its grants, "1066" in 243, every
 * grant has the one funder, a programme title part finds ~65,000 grants. The register holds no
 * themes, flags or classifications, so those criteria select nothing, but how fast SQLite finds
 * that out still depends on the plan (they are set on the query directly: `foi grants` would
 * first refuse a theme or flag the register does not know).
 */
import { Command } from 'commander';
import { performance } from 'node:perf_hooks';
import type { Db } from '../../src/db/open.js';
import { addCriteriaOptions, type CriteriaOpts } from '../../src/commands/criteria-options.js';
import { criteriaQuery } from '../../src/commands/criteria.js';
import type { GrantQuery } from '../../src/register/query.js';
import { queryTotals } from '../../src/register/query-totals.js';
import { shellQuote } from './report.js';
import { median } from './stats.js';

/** One criterion's values (each as typed after `foi grants`); a combination takes one value of each of a few kinds. */
export const CRITERIA: Record<string, string[][]> = {
  text: [['--text', 'community'], ['--text', '1066'], ['--text', 'mental health']],
  recipient: [['--recipient', "Women's Aid"], ['--recipient', 'Community'], ['--recipient', 'GB-CHC-1054154']],
  funder: [['--funder', 'Lloyds'], ['--funder', 'GB-CHC-327114']],
  programme: [['--programme', 'Criminal Justice'], ['--programme', 'XA8']],
  theme: [['--theme', 'stalking']],
  flag: [['--flag', 'non_ex_intimate=y']],
  classification: [['--classification', 'C1']],
  activeIn: [['--active-in', '2013-14']],
  amount: [['--min', '10000'], ['--max', '1000']],
  withdrawn: [['--include-withdrawn']],
  superseded: [['--include-superseded']],
};

/** The financial years every combination is tried with. */
export const YEARS: string[][] = [[], ['--fy', '2012-13'], ['--fy', '2010-11..2014-15']];

export interface Combination {
  /** As typed after `foi grants`. */
  args: string[];
  /** How many criteria besides the year (1, 2 or 3). */
  size: number;
}

/** Triples: the criteria an FOI request combines most (a subject, who, and when or how much). */
const TRIPLES: string[][] = [
  ['text', 'recipient', 'activeIn'], ['text', 'funder', 'programme'], ['text', 'recipient', 'funder'], ['text', 'programme', 'activeIn'],
  ['text', 'recipient', 'amount'], ['recipient', 'funder', 'activeIn'], ['text', 'funder', 'activeIn'], ['text', 'theme', 'recipient'],
];

function* product(kinds: string[], at = 0, acc: string[] = []): Generator<string[]> {
  if (at === kinds.length) {
    yield acc;
    return;
  }
  for (const v of CRITERIA[kinds[at]]) yield* product(kinds, at + 1, [...acc, ...v]);
}

/** Every combination: each criterion alone, every pair of kinds, the triples above; each with every YEARS entry. */
export function combinations(): Combination[] {
  const kinds = Object.keys(CRITERIA);
  const sets: string[][] = [...kinds.map((k) => [k])];
  for (let i = 0; i < kinds.length; i++) for (let j = i + 1; j < kinds.length; j++) sets.push([kinds[i], kinds[j]]);
  sets.push(...TRIPLES);
  const out: Combination[] = YEARS.map((y) => ({ args: y, size: 0 })).filter((c) => c.args.length);
  for (const set of sets) for (const args of product(set)) for (const y of YEARS) out.push({ args: [...y, ...args], size: set.length });
  return out;
}

/** The query `foi grants ARGS` runs (themes and flags taken as given, not checked against the register). */
export function matrixQuery(db: Db, args: string[]): GrantQuery {
  const opts = addCriteriaOptions(new Command()).exitOverride().parse(args, { from: 'user' }).opts<CriteriaOpts>();
  const q = criteriaQuery(db, { ...opts, theme: [], flag: [] });
  q.themes = opts.theme;
  q.flags = opts.flag.map((f) => {
    const [name, value] = f.split('=');
    return { name, value: value as 'y' | 'n' | 'unknown' };
  });
  return q;
}

export interface MatrixResult {
  /** As typed after `foi grants`, quoted for a shell. */
  args: string;
  size: number;
  /** Lines counted. */
  rows: number;
  /** Median and slowest of the timed runs (ms). */
  median: number;
  max: number;
}

/**
 * queryTotals for each combination (those whose arguments `only` matches): one warm-up, then
 * `runs` timed runs; stops before a combination once `deadline` (performance.now()) has passed.
 */
export function timeMatrix(db: Db, runs: number, only: RegExp | null = null, deadline = Infinity): MatrixResult[] {
  const out: MatrixResult[] = [];
  for (const c of combinations()) {
    if (only && !only.test(c.args.join(' '))) continue;
    if (performance.now() > deadline) break;
    const q = matrixQuery(db, c.args);
    const rows = queryTotals(db, q).count; // warm-up
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      queryTotals(db, q);
      times.push(performance.now() - t0);
    }
    out.push({ args: c.args.map(shellQuote).join(' '), size: c.size, rows, median: median(times), max: Math.max(...times) });
  }
  return out;
}
