/**
 * External command-line tools in tests (pandoc, soffice, pdftotext, ...).
 *
 * Locally a test that needs a missing tool is skipped with a printed reason. In CI (`CI` set to
 * anything but "" / "0" / "false") it is never skipped: it runs and fails, so a CI image that lost a
 * tool cannot pass silently.
 *
 *   const skip = requireToolOrSkip(['pandoc'], 'DOCX read-back');
 *   it.skipIf(skip)('reads back', () => { const out = runTool('pandoc', [...]); ... });
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const found = new Map<string, string | null>();

/** Absolute path of an executable on PATH, or null. Cached per name. */
export function whichTool(name: string): string | null {
  const hit = found.get(name);
  if (hit !== undefined) return hit;
  let result: string | null = null;
  if (name.includes('/')) {
    result = isExecutable(name) ? name : null;
  } else {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      if (!dir) continue;
      const candidate = join(dir, name);
      if (isExecutable(candidate)) {
        result = candidate;
        break;
      }
    }
  }
  found.set(name, result);
  return result;
}

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether `name` is an executable on PATH. */
export function hasTool(name: string): boolean {
  return whichTool(name) !== null;
}

/** Whether we run in CI, where missing tools must fail rather than skip. */
export function isCI(): boolean {
  const v = (process.env.CI ?? '').trim().toLowerCase();
  return v !== '' && v !== '0' && v !== 'false';
}

/**
 * True when the test should be skipped: some of `names` are missing and we are not in CI. Prints
 * the reason once per call. In CI it returns false even if tools are missing (the test then fails
 * in `runTool` with a clear message).
 */
export function requireToolOrSkip(names: string | readonly string[], what = 'this test'): boolean {
  const list = typeof names === 'string' ? [names] : names;
  const missing = list.filter((n) => !hasTool(n));
  if (missing.length === 0) return false;
  if (isCI()) {
    console.warn(`[tools] CI is set: NOT skipping ${what}; missing: ${missing.join(', ')} (it will fail)`);
    return false;
  }
  console.warn(`[tools] skipping ${what}: ${missing.join(', ')} not found on PATH (install it to run; CI never skips)`);
  return true;
}

export interface ToolResult {
  stdout: string;
  stderr: string;
  status: number;
}

/**
 * Run a tool synchronously; throws with stdout/stderr when it is missing, times out or exits non-zero.
 * Default timeout 90 s (LibreOffice's first start is slow).
 */
export function runTool(name: string, args: readonly string[], opts: SpawnSyncOptions = {}): ToolResult {
  const path = whichTool(name);
  if (!path) throw new Error(`required tool "${name}" is not installed (not on PATH)`);
  const r = spawnSync(path, args, { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 * 1024 * 1024, ...opts });
  const stdout = String(r.stdout ?? '');
  const stderr = String(r.stderr ?? '');
  if (r.error) throw new Error(`${name} ${args.join(' ')} failed: ${r.error.message}\n${stderr}`);
  if (r.status !== 0) {
    throw new Error(`${name} ${args.join(' ')} exited ${r.status ?? r.signal}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
  }
  return { stdout, stderr, status: r.status };
}
