/**
 * In-process import probe: `node [--expose-gc] dist/bench/measure-import.js FILE.csv DB [--statements] [--retainers] [--cache-mib N] [--step N]`.
 * Calls importFiles exactly as `foi import` does (fresh register, one transaction) and prints one
 * JSON line: wall time, rows/s over the run (every 25,000 rows), peak RSS, heap after a full GC
 * when --expose-gc is on, and, with --statements, the time spent inside each SQLite statement
 * (better-sqlite3's run/get/all/exec, timed around each call) so native SQLite time can be
 * told apart from JavaScript. --retainers (needs --expose-gc) reports large strings still alive
 * after the import and what holds them (bench/lib/heap.ts). --cache-mib sets PRAGMA cache_size before importing (an experiment:
 * foi itself leaves SQLite's default 2 MiB).
 *
 */
import { performance } from 'node:perf_hooks';
import { rmSync } from 'node:fs';
import { openDatabase, type Db } from '../src/db/open.js';
import { bigStringRetainers, type HeapReport } from './lib/heap.js';
import { importFiles } from '../src/import/run-import.js';

interface StmtStat { sql: string; calls: number; ms: number }

/** Grants between progress points (--step N). */
const stepArg = process.argv.indexOf('--step');
const PROGRESS_STEP = stepArg > 0 ? Number(process.argv[stepArg + 1]) : 25_000;

export interface ImportProbe {
  rows: number;
  ms: number;
  commitMs: number;
  maxRssBytes: number;
  heapAfterGcBytes: number | null;
  /** Each time another PROGRESS_STEP grants have been written: rows, time since the start, resident memory. */
  progress: { rows: number; ms: number; rssBytes: number }[];
  statements: StmtStat[] | null;
  cacheMib: number | null;
  /** With --retainers (and --expose-gc): large strings still alive after the import, and who holds them. */
  heap: HeapReport | null;
}

function instrument(db: Db, stats: Map<string, StmtStat>): void {
  const stat = (sql: string): StmtStat => {
    const key = sql.replace(/\s+/g, ' ').trim();
    let s = stats.get(key);
    if (!s) stats.set(key, (s = { sql: key, calls: 0, ms: 0 }));
    return s;
  };
  const timed = <T extends (...a: never[]) => unknown>(s: StmtStat, fn: T): T =>
    ((...a: never[]) => {
      const t0 = performance.now();
      try {
        return fn(...a);
      } finally {
        s.ms += performance.now() - t0;
        s.calls++;
      }
    }) as T;
  const prepare = db.prepare.bind(db);
  (db as { prepare: unknown }).prepare = (sql: string) => {
    const st = prepare(sql);
    const s = stat(sql);
    const o = st as unknown as Record<string, unknown>;
    for (const m of ['run', 'get', 'all'] as const) o[m] = timed(s, (st[m] as (...a: never[]) => unknown).bind(st));
    return st;
  };
  const exec = db.exec.bind(db);
  (db as { exec: unknown }).exec = (sql: string) => timed(stat(`exec: ${sql}`), exec as (...a: never[]) => unknown)(sql as never);
}

async function main(): Promise<void> {
  const [file, dbPath, ...rest] = process.argv.slice(2);
  if (!file || !dbPath) throw new Error('usage: measure-import FILE DB [--statements] [--cache-mib N]');
  const withStatements = rest.includes('--statements');
  const withRetainers = rest.includes('--retainers');
  const ci = rest.indexOf('--cache-mib');
  const cacheMib = ci >= 0 ? Number(rest[ci + 1]) : null;
  for (const suffix of ['', '-wal', '-shm']) rmSync(dbPath + suffix, { force: true });
  const db = openDatabase(dbPath, { create: true });
  if (cacheMib) db.pragma(`cache_size = -${cacheMib * 1024}`);
  const stats = new Map<string, StmtStat>();
  if (withStatements) instrument(db, stats);
  const progress: ImportProbe['progress'] = [];
  let next = PROGRESS_STEP;
  const t0 = performance.now();
  const result = await importFiles(db, [file], {
    onProgress: (_bytes, _total, rows) => {
      if (rows < next) return;
      progress.push({ rows, ms: performance.now() - t0, rssBytes: process.memoryUsage.rss() });
      next = (Math.floor(rows / PROGRESS_STEP) + 1) * PROGRESS_STEP;
    },
  });
  const ms = performance.now() - t0;
  db.close();
  const g = (globalThis as { gc?: () => void }).gc;
  let heapAfterGcBytes: number | null = null;
  let heap: HeapReport | null = null;
  if (g) {
    g();
    heapAfterGcBytes = process.memoryUsage().heapUsed;
    if (withRetainers) heap = bigStringRetainers(`${dbPath}.heapsnapshot`);
  }
  const commit = stats.get('exec: COMMIT');
  const probe: ImportProbe = {
    rows: result.inserted + result.updated + result.unchanged,
    ms,
    commitMs: commit?.ms ?? NaN,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    heapAfterGcBytes,
    progress,
    statements: withStatements ? [...stats.values()].sort((a, b) => b.ms - a.ms) : null,
    cacheMib,
    heap,
  };
  process.stdout.write(JSON.stringify(probe) + '\n');
}

main().catch((e) => {
  process.stderr.write(`measure-import: ${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
