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

/** Sizes and run counts; the BENCH_* environment variables are for quick trial runs. */
export const CONFIG = {
  rows: envInt('BENCH_ROWS', 1_000_000),
  sqliteRuns: envInt('BENCH_SQLITE_RUNS', 3),
  /** The slowest step: one run of a million-row foi import already takes minutes. */
  foiImportRuns: envInt('BENCH_IMPORT_RUNS', 1),
  foiImportTimeoutMs: envInt('BENCH_IMPORT_TIMEOUT_S', 400) * 1000,
  /** Rows of the slices profiled when the import misses a target. */
  probeRows: Math.min(envInt('BENCH_PROBE_ROWS', 50_000), envInt('BENCH_ROWS', 1_000_000)),
  heapRows: Math.min(20_000, envInt('BENCH_ROWS', 1_000_000)),
  queryRuns: envInt('BENCH_QUERY_RUNS', 20),
  /** Per query: stop repeating after this long (at least 3 runs). */
  queryBudgetMs: envInt('BENCH_QUERY_BUDGET_S', 5) * 1000,
  requests: envInt('BENCH_REQUESTS', 1000),
  batchRuns: envInt('BENCH_BATCH_RUNS', 3),
  pandocSample: envInt('BENCH_PANDOC_SAMPLE', 100),
  batchProfileRequests: 100,
  coldRuns: envInt('BENCH_COLD_RUNS', 10),
  /** The whole bench must finish within this (the build comes on top, about 20 s). */
  budgetMs: 570_000,
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
