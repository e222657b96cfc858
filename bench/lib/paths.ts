/** Where things are: the repo root (found from this module, in src or dist), the work folder, tools. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'foi') return dir;
    dir = dirname(dir);
  }
  throw new Error('bench: cannot find the foi package root');
}

export const ROOT = findRoot();
export const WORK = join(ROOT, 'bench', 'work');
export const FOI_BIN = join(ROOT, 'bin', 'foi');
export const DIST_BENCH = join(ROOT, 'dist', 'bench');
/** Preload that reports the process's peak RSS at exit (see rss-hook.ts). */
export const RSS_HOOK = join(DIST_BENCH, 'rss-hook.js');
/** The shared data folder beside the repo (BENCH_SHARED overrides it, e.g. to test the skip path). */
export const SHARED = resolve(process.env.BENCH_SHARED ?? join(ROOT, '..', 'shared'));
export const LLOYDS_JSON = join(SHARED, 'data', '360giving', 'lloyds-bank-foundation-2010-2015.360g.json');
export const SQLITE3 = process.env.BENCH_SQLITE3 ?? '/usr/bin/sqlite3';
export const EXAMPLES = join(ROOT, 'examples');
