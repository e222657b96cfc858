/**
 * Finds a file shipped with the package by walking up from a module: `src/…` under vitest,
 * `dist/src/…` once built, and an installed package's root alike.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError } from './errors.js';

export function packageFile(relative: string, moduleUrl: string): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new DataError(`cannot find ${relative} above ${dirname(fileURLToPath(moduleUrl))}`);
}
