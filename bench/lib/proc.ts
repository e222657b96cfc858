/** Spawning measured children: wall time, exit status, captured output and (optionally) peak RSS. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { RSS_HOOK, ROOT, WORK } from './paths.js';

export interface RunResult {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
  /** Peak RSS in bytes, when measured. */
  maxRssBytes: number | null;
  timedOut: boolean;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Preload rss-hook into a node child (`cmd` must be node) and report its peak RSS. */
  measureRss?: boolean;
  /** Fail (throw) on a non-zero exit. Default true. */
  check?: boolean;
  /** Keep at most this many characters of stdout (default 64 KiB). */
  keep?: number;
  /** Kill the child (SIGKILL, by its pid) after this long; the result says timedOut. */
  timeoutMs?: number;
}

let rssSeq = 0;

/** Run `cmd args`, timing from spawn to exit. stdin is closed (never a TTY: nothing prompts). */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const keep = opts.keep ?? 64 * 1024;
  let rssFile: string | null = null;
  let argv = [...args];
  const env = { ...process.env, ...opts.env };
  if (opts.measureRss) {
    rssFile = join(WORK, `.rss-${process.pid}-${++rssSeq}`);
    rmSync(rssFile, { force: true });
    argv = ['--import', RSS_HOOK, ...argv];
    env.BENCH_RSS_FILE = rssFile;
  }
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, argv, { cwd: opts.cwd ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { if (stdout.length < keep) stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { if (stderr.length < keep) stderr += d; });
    let timedOut = false;
    const timer = opts.timeoutMs ? setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs) : null;
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      if (timer) clearTimeout(timer);
      let maxRssBytes: number | null = null;
      if (rssFile && existsSync(rssFile)) {
        maxRssBytes = Number(readFileSync(rssFile, 'utf8')) * 1024;
        rmSync(rssFile, { force: true });
      }
      if (code !== 0 && opts.check !== false && !timedOut) {
        reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${stderr.slice(-2000)}${stdout.slice(-1000)}`));
        return;
      }
      resolve({ ms, code, stdout, stderr, maxRssBytes, timedOut });
    });
  });
}

/** First line of `cmd args` output, or null if it cannot run. */
export function versionOf(cmd: string, args: readonly string[]): string | null {
  try {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
    if (r.status !== 0) return null;
    return (r.stdout || r.stderr).split('\n')[0].trim() || null;
  } catch {
    return null;
  }
}

export function hasCommand(path: string): boolean {
  return existsSync(path);
}

/** Which `pandoc` is on PATH (or null). */
export function which(name: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const p = r.stdout.trim();
  return r.status === 0 && p ? p : null;
}
