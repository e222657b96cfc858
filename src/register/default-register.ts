/**
 * The embedded MOPAC register (data/mopac-register.yaml), loaded into memory when no --db or
 * FOI_DB is given, and by `foi init --sample`.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from '../db/open.js';
import { importFiles, type ImportResult } from '../import/run-import.js';

/** The package root: the nearest ancestor of this module holding data/mopac-register.yaml. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'data', 'mopac-register.yaml'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the foi package data folder (data/mopac-register.yaml)');
}

export function defaultRegisterPath(): string {
  return join(packageRoot(), 'data', 'mopac-register.yaml');
}

export async function loadDefaultRegister(db: Db): Promise<ImportResult> {
  return importFiles(db, [defaultRegisterPath()]);
}
