/**
 * The embedded MOPAC register (data/mopac-register.yaml), loaded into memory when no --db or
 * FOI_DB is given, and by `foi init --sample`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openDatabase, type Db } from '../db/open.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import { MIGRATIONS } from '../db/migrations.js';
import { BUILD_ID } from '../core/build-id.js';
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

/**
 * The embedded register, in memory, for read commands. Parsing the YAML costs a quarter of a
 * second, so the built register is cached beside the compiled code, keyed by a hash of the YAML
 * and the schema version: an edited data file or a new migration simply builds a new cache.
 */
export async function openDefaultRegister(): Promise<Db> {
  const yamlPath = defaultRegisterPath();
  const here = dirname(fileURLToPath(import.meta.url));
  // The key covers the data, the schema and the code that turns one into the other: in the
  // bundle, the build's hash of all sources; from source (tests), the two modules that write it.
  const h = createHash('sha256').update(readFileSync(yamlPath)).update(`schema ${MIGRATIONS.length}`);
  if (BUILD_ID) h.update(BUILD_ID);
  else for (const code of [join(here, 'writer.ts'), join(here, '..', 'import', 'foi-format.ts')]) if (existsSync(code)) h.update(readFileSync(code));
  const key = h.digest('hex').slice(0, 16);
  const cache = join(here, `.mopac-register-${key}.sqlite`);
  if (existsSync(cache)) {
    try {
      const db = new Database(readFileSync(cache));
      db.pragma('foreign_keys = ON');
      return db;
    } catch {
      // A damaged cache is rebuilt below.
    }
  }
  const db = openDatabase(':memory:', { create: true });
  await loadDefaultRegister(db);
  try {
    writeFileAtomic(cache, db.serialize());
  } catch {
    // A read-only install still works: it just builds the register each time.
  }
  return db;
}
