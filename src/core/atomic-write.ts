/**
 * Output files are written atomically: a temp file beside the target, synced, then renamed over
 * it. A reader never sees half a letter, and a failure leaves the old file as it was.
 *
 * `AtomicWriter` does this for many files with one wait for the disk instead of one per file:
 * each file's temp is written and its fsync started at once (the file system commits concurrent
 * syncs together), each is renamed over its target only after its own fsync has finished, and
 * `finish()` then fsyncs every directory it renamed into, once. Crash safety is the same as file
 * by file: at any moment every target holds either its old bytes or its complete new bytes, never
 * an empty or partial file. A crash before the directory sync can lose renames that were not yet
 * durable (that target keeps its old file; running the command again writes it) and can leave a
 * `.NAME.PID.RANDOM.tmp` file behind.
 */
import { closeSync, fsync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeSync, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DataError } from './errors.js';

function tempBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
}

/** Write `data` to a new temp file beside `path`; returns its name and open descriptor. */
function writeTemp(path: string, data: string | Uint8Array, dirExists = false): { tmp: string; fd: number } {
  if (!dirExists) mkdirSync(dirname(path), { recursive: true });
  const tmp = tempBeside(path);
  const fd = openSync(tmp, 'w');
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    writeSync(fd, buf, 0, buf.length);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  return { tmp, fd };
}

function renameOver(tmp: string, path: string): void {
  try {
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Sync a directory so the renames into it are durable (a no-op where directories cannot be opened, e.g. Windows). */
function syncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory; the renames are then as durable as they get.
  } finally {
    closeSync(fd);
  }
}

/** One file, synced and renamed into place before returning. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const { tmp, fd } = writeTemp(path, data);
  try {
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameOver(tmp, path);
}

/** Many files written atomically, with the waits for the disk overlapped (see the module comment). */
export class AtomicWriter {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly dirs = new Set<string>();
  private failure: Error | null = null;
  /** With `together`: temps synced and waiting for `finish()` to rename them all. */
  private readonly staged: { tmp: string; path: string }[] = [];

  /**
   * At most `maxInFlight` files between write and rename at once (each holds a descriptor).
   * `together` (one letter's files): nothing is renamed until every file is written and synced,
   * so a failure (a full disk, a folder in the way) leaves none of the new files, not some.
   */
  constructor(private readonly maxInFlight = 64, private readonly together = false) {}

  /** Start writing `path`; it is in place once its sync finishes, and durable after `finish()`. */
  async write(path: string, data: string | Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    while (this.inFlight.size >= this.maxInFlight) await Promise.race(this.inFlight);
    // A folder this writer has already written into exists: no mkdir per file (a batch writes thousands).
    const { tmp, fd } = writeTemp(path, data, this.dirs.has(dirname(path)));
    this.dirs.add(dirname(path));
    const done = new Promise<void>((resolve) => {
      fsync(fd, (err) => {
        closeSync(fd);
        try {
          if (err) throw err;
          if (this.together) this.staged.push({ tmp, path });
          else renameOver(tmp, path);
        } catch (e) {
          rmSync(tmp, { force: true });
          this.failure ??= e as Error;
        }
        resolve();
      });
    }).finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
  }

  /** Wait for every file, then sync each directory once. Throws the first failure. */
  async finish(): Promise<void> {
    await Promise.all(this.inFlight);
    if (this.together) {
      const inTheWay = this.staged.find((s) => statSync(s.path, { throwIfNoEntry: false })?.isDirectory());
      if (inTheWay) this.failure ??= new DataError(`${inTheWay.path}: a folder of that name is in the way; nothing was written`);
      if (this.failure) await this.abort();
      for (const s of this.staged.splice(0)) renameOver(s.tmp, s.path);
    }
    for (const dir of [...this.dirs].sort()) syncDir(dir);
    this.dirs.clear();
    if (this.failure) throw this.failure;
  }

  /** After a failure: wait for the files in flight and remove every temp not yet renamed. */
  async abort(): Promise<void> {
    await Promise.all(this.inFlight);
    for (const s of this.staged.splice(0)) rmSync(s.tmp, { force: true });
  }
}

/**
 * A file written in pieces, atomically: `write` appends to a temp file beside `path`, `commit`
 * syncs it and renames it into place, `abort` removes it (the old file, if any, is untouched).
 * For outputs too large to build as one string (an export of a whole register).
 */
export class AtomicFile {
  private readonly tmp: string;
  private fd: number | null;

  constructor(readonly path: string) {
    const dir = dirname(path);
    mkdirSync(dir, { recursive: true });
    this.tmp = join(dir, `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
    this.fd = openSync(this.tmp, 'w');
  }

  write(data: string | Uint8Array): void {
    if (this.fd === null) throw new Error(`${this.path}: already finished`);
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    writeSync(this.fd, buf, 0, buf.length);
  }

  commit(): void {
    if (this.fd === null) throw new Error(`${this.path}: already finished`);
    try {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = null;
      renameSync(this.tmp, this.path);
    } catch (e) {
      this.abort();
      throw e;
    }
  }

  abort(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.tmp, { force: true });
  }
}

export type WriteStatus = 'created' | 'changed' | 'unchanged';

/** What writing `data` to `path` would do (compare bytes with what is there). */
export function writeStatus(path: string, data: string | Uint8Array): WriteStatus {
  if (!existsSync(path)) return 'created';
  const old = readFileSync(path);
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
  return old.equals(buf) ? 'unchanged' : 'changed';
}

/** Write only when the content differs; returns what happened. */
export function writeIfChanged(path: string, data: string | Uint8Array): WriteStatus {
  const status = writeStatus(path, data);
  if (status !== 'unchanged') writeFileAtomic(path, data);
  return status;
}

/** `.FOI-556.md.1234.k3j2.tmp`: the temp files writeFileAtomic makes, with the writer's process id. */
const TEMP_NAME = /^\..+\.(\d+)\.[a-z0-9]+\.tmp$/;

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove temp files left under `dir` (recursively) by a writer that was killed: those whose
 * process is gone. A live writer's temp files are left alone. Returns the paths removed.
 */
export function removeStaleTempFiles(dir: string): string[] {
  const removed: string[] = [];
  if (!existsSync(dir)) return removed;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const m = TEMP_NAME.exec(name);
      if (m && !alive(Number(m[1]))) {
        rmSync(p, { force: true });
        removed.push(p);
      } else if (!name.startsWith('.') && statSync(p).isDirectory()) walk(p);
    }
  };
  walk(dir);
  return removed;
}
