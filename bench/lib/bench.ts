/** Settings, the time budget and progress logging shared by the steps. */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { SummaryRow } from './report.js';

function envInt(name: string, dflt: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}=${v}: expected a whole number of 1 or more`);
  return n;
}

/** `npm run bench -- --quick`: every step at 100,000 rows and 200 letters, fewer runs, no diagnosis profiles; under 2 minutes. */
export const QUICK = process.argv.includes('--quick');

/** Sizes and run counts; the BENCH_* environment variables are for trial runs at other sizes. */
export const CONFIG = {
  quick: QUICK,
  rows: envInt('BENCH_ROWS', QUICK ? 100_000 : 1_000_000),
  sqliteRuns: envInt('BENCH_SQLITE_RUNS', QUICK ? 1 : 3),
  /** The slowest step: one run of a million-row foi import already takes minutes. */
  foiImportRuns: envInt('BENCH_IMPORT_RUNS', 1),
  foiImportTimeoutMs: envInt('BENCH_IMPORT_TIMEOUT_S', 400) * 1000,
  /** Rows of the slices profiled when the import misses a target. */
  probeRows: Math.min(envInt('BENCH_PROBE_ROWS', 50_000), envInt('BENCH_ROWS', QUICK ? 100_000 : 1_000_000)),
  heapRows: Math.min(20_000, envInt('BENCH_ROWS', QUICK ? 100_000 : 1_000_000)),
  queryRuns: envInt('BENCH_QUERY_RUNS', QUICK ? 5 : 20),
  /** Per query: stop repeating after this long (at least 3 runs). */
  queryBudgetMs: envInt('BENCH_QUERY_BUDGET_S', QUICK ? 1 : 5) * 1000,
  /** The matrix of criteria (bench/lib/totals-matrix.ts): timed runs per combination, and a time limit for all of them. */
  matrixRuns: envInt('BENCH_MATRIX_RUNS', QUICK ? 1 : 3),
  matrixBudgetMs: envInt('BENCH_MATRIX_BUDGET_S', QUICK ? 30 : 150) * 1000,
  /** Whole-process listing runs (foi grants and sqlite3 -csv) per query. */
  listingRuns: envInt('BENCH_LISTING_RUNS', QUICK ? 2 : 3),
  requests: envInt('BENCH_REQUESTS', QUICK ? 200 : 1000),
  batchRuns: envInt('BENCH_BATCH_RUNS', QUICK ? 2 : 3),
  pandocSample: envInt('BENCH_PANDOC_SAMPLE', QUICK ? 20 : 100),
  batchProfileRequests: 100,
  coldRuns: envInt('BENCH_COLD_RUNS', QUICK ? 5 : 10),
  /** Profiles and what-ifs explaining a miss (not in a quick run). */
  diagnose: !QUICK,
  /** The whole bench must finish within this (the build comes on top, about 20 s). */
  budgetMs: envInt('BENCH_BUDGET_S', QUICK ? 120 : 570) * 1000,
};

export interface StepResult {
  summary: SummaryRow[];
  /** Markdown body of the step's section in RESULTS.md. */
  markdown: string;
  /** Markdown for "Misses: why, and what would close them" (empty when all pass). */
  misses: string;
}

const t0 = performance.now();

export const clock = {
  elapsedMs: () => performance.now() - t0,
  remainingMs: () => CONFIG.budgetMs - (performance.now() - t0),
};

export function log(msg: string): void {
  const s = (clock.elapsedMs() / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[bench ${s}s] ${msg}\n`);
}

export function load(): string {
  return loadavg().map((x) => x.toFixed(2)).join(' ');
}

export const pass = (ok: boolean) => (ok ? 'PASS' : 'MISS') as 'PASS' | 'MISS';
