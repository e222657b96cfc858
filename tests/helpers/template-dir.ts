import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const tmpDirs: string[] = [];

/** A --templates folder holding `files` (relative path → text); removed after the test file. */
export function overrideDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'foi-templates-'));
  tmpDirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});
