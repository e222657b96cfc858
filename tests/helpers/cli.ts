/** Spawn the real CLI (bin/foi, built by `npm test`'s pretest) the way an officer runs it. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'foi');
export const FIXTURES = join(ROOT, 'tests', 'fixtures');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function foi(args: string[], opts: { env?: Record<string, string | undefined>; cwd?: string; input?: string } = {}): RunResult {
  const env: Record<string, string | undefined> = { ...process.env, FOI_DB: undefined, ...opts.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: env as NodeJS.ProcessEnv,
    input: opts.input ?? '',
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix = 'foi-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function json<T = any>(r: RunResult): T {
  if (r.code !== 0) throw new Error(`foi exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
