/**
 * Opening the register: WAL, foreign keys, migrations. The default (no --db, no FOI_DB) is an
 * in-memory register loaded from the embedded MOPAC data in data/.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { MIGRATIONS } from './migrations.js';
import { DataError, UsageError } from '../core/errors.js';

export type Db = Database.Database;

/** How long a writer waits for another to finish before giving up: an hour. */
export const WRITER_WAIT_MS = 3_600_000;

/**
 * Start a write transaction. When another process is writing (an import), `onWait` is called once
 * (to say "waiting for another import…") and this one waits its turn.
 */
export function beginWrite(db: Db, onWait?: () => void): void {
  db.pragma('busy_timeout = 0');
  try {
    db.exec('BEGIN IMMEDIATE');
    return;
  } catch (e) {
    if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e;
    onWait?.();
  } finally {
    db.pragma(`busy_timeout = ${WRITER_WAIT_MS}`);
  }
  db.exec('BEGIN IMMEDIATE');
}

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new DataError(
      `the register was written by a newer foi (schema ${current}; this foi knows up to ${MIGRATIONS.length}); upgrade foi`,
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      const m = MIGRATIONS[v];
      if (typeof m === 'string') db.exec(m);
      else m(db);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

export interface OpenOptions {
  /** Create the file if it does not exist (init, import). Read commands refuse a missing file. */
  create?: boolean;
  readonly?: boolean;
}

export function openDatabase(path: string, opts: OpenOptions = {}): Db {
  if (path !== ':memory:' && !existsSync(path) && !opts.create) {
    throw new UsageError(`no register at ${path}; create one with "foi init --db ${path}" or import into it`);
  }
  let db: Db;
  try {
    db = new Database(path, { readonly: !!opts.readonly, fileMustExist: !opts.create });
  } catch (e) {
    throw new DataError(`cannot open register ${path}: ${(e as Error).message}`);
  }
  try {
    if (!opts.readonly) db.pragma('journal_mode = WAL');
    // A second writer waits for the first (a large import can take minutes) rather than failing
    // with "database is locked"; readers never wait for writers under WAL.
    db.pragma(`busy_timeout = ${WRITER_WAIT_MS}`);
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    db.pragma('cache_size = -131072'); // 128 MiB for reading commands (an import sets its own: src/import/run-import.ts)
    db.pragma('temp_store = MEMORY');
    if (path !== ':memory:') db.pragma('mmap_size = 1073741824'); // reads of a large register go through the OS cache
    if (!opts.readonly) migrate(db);
    else if ((db.pragma('user_version', { simple: true }) as number) !== MIGRATIONS.length) {
      throw new DataError(`register ${path} needs migrating; run any write command (e.g. foi init --db ${path})`);
    }
  } catch (e) {
    db.close();
    if (e instanceof DataError) throw e;
    throw new DataError(`${path} is not a foi register: ${(e as Error).message}`);
  }
  return db;
}
