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
import { DataError, fileSystemMessage } from './errors.js';

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
  private readonly groups = new Set<Promise<void>>();
  private failure: Error | null = null;

  /** At most `maxInFlight` files between write and rename at once (each holds a descriptor). */
  constructor(private readonly maxInFlight = 64) {}

  /** Start writing `path`; it is in place once its sync finishes, and durable after `finish()`. */
  async write(path: string, data: string | Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    await this.stage(path, data, (tmp, err) => {
      try {
        if (err) throw err;
        renameOver(tmp, path);
      } catch (e) {
        rmSync(tmp, { force: true });
        this.failure ??= e as Error;
      }
    });
  }

  /**
   * Files that go in together (one letter's): `WriteGroup.close()` renames none of them until
   * every one is written and synced, so a failure (a full disk, a folder in the way) leaves all
   * of their old files, not some. A group's failure is its own: other files and groups of this
   * writer go on. `label` names the set in its error ("none of FOI 556's files were written").
   */
  group(label: string | null = null): WriteGroup {
    return new WriteGroup(this, label);
  }

  /**
   * Write `data` to a temp file beside `path` once there is room, and start its fsync; `synced`
   * runs with the fsync's outcome, and the file counts as in flight until it has run.
   */
  async stage(path: string, data: string | Uint8Array, synced: (tmp: string, err: NodeJS.ErrnoException | null) => void): Promise<string> {
    while (this.inFlight.size >= this.maxInFlight) await Promise.race(this.inFlight);
    // A folder this writer has already written into exists: no mkdir per file (a batch writes thousands).
    const { tmp, fd } = writeTemp(path, data, this.dirs.has(dirname(path)));
    this.dirs.add(dirname(path));
    const done = new Promise<void>((resolve) => {
      fsync(fd, (err) => {
        closeSync(fd);
        synced(tmp, err);
        resolve();
      });
    }).finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
    return tmp;
  }

  /** A group's outcome, awaited by `finish()` (its failure is reported by the group itself). */
  settleWith(group: Promise<void>): void {
    const settled = group.then(() => undefined, () => undefined).finally(() => this.groups.delete(settled));
    this.groups.add(settled);
  }

  /** Wait for every file and group, then sync each directory once. Throws the first failure of `write`. */
  async finish(): Promise<void> {
    await Promise.all(this.inFlight);
    await Promise.all(this.groups);
    for (const dir of [...this.dirs].sort()) syncDir(dir);
    this.dirs.clear();
    if (this.failure) throw this.failure;
  }
}

/** One set of files written all or none (AtomicWriter.group). */
export class WriteGroup {
  private readonly staged: { path: string; tmp: string; synced: Promise<NodeJS.ErrnoException | null> }[] = [];
  private failure: Error | null = null;
  private closed = false;

  constructor(private readonly writer: AtomicWriter, private readonly label: string | null) {}

  /** Write `path`'s temp file and start its sync; nothing is in place until `close()`. */
  async write(path: string, data: string | Uint8Array): Promise<void> {
    if (this.closed) throw new Error(`${path}: written after its group was closed`);
    if (this.failure) return;
    let done!: (err: NodeJS.ErrnoException | null) => void;
    const synced = new Promise<NodeJS.ErrnoException | null>((resolve) => (done = resolve));
    try {
      this.staged.push({ path, synced, tmp: await this.writer.stage(path, data, (_, err) => done(err)) });
    } catch (e) {
      this.failure = this.describe(e, path);
    }
  }

  /**
   * Rename every file into place once all are synced and none has a folder in its way; otherwise
   * remove every temp file and throw a DataError naming the file at fault (the old files stay).
   */
  close(): Promise<void> {
    this.closed = true;
    const done = this.place();
    this.writer.settleWith(done);
    return done;
  }

  private async place(): Promise<void> {
    const synced = await Promise.all(this.staged.map((s) => s.synced));
    synced.forEach((err, i) => {
      if (err) this.failure ??= this.describe(err, this.staged[i].path);
    });
    const inTheWay = this.staged.find((s) => statSync(s.path, { throwIfNoEntry: false })?.isDirectory());
    if (inTheWay) this.failure ??= this.describe(Object.assign(new Error('EISDIR'), { code: 'EISDIR' }), inTheWay.path);
    const pending = [...this.staged];
    try {
      if (this.failure) throw this.failure;
      while (pending.length) {
        const s = pending[0];
        try {
          renameSync(s.tmp, s.path);
        } catch (e) {
          // Only a rename that fails after the checks above (rare: a permission changed) leaves some in place.
          const placed = this.staged.length - pending.length;
          throw this.describe(e, s.path, placed ? `${placed} of the ${this.staged.length} files were already replaced` : null);
        }
        pending.shift();
      }
    } finally {
      for (const s of pending) rmSync(s.tmp, { force: true });
    }
  }

  /** A failure in words, naming the user's file (never a temp file) and saying what was left alone. */
  private describe(e: unknown, target: string, left: string | null = null): Error {
    const x = e as NodeJS.ErrnoException;
    const file = x?.path && !TEMP_NAME.test(basename(x.path)) ? x.path : target;
    const why = fileSystemMessage({ code: x?.code, syscall: x?.syscall, path: file }) ?? `${target}: ${(e as Error)?.message ?? String(e)}`;
    return new DataError(`${why}; ${left ?? (this.label ? `none of ${this.label}'s files were written` : 'nothing was written')}`);
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
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 'created';
  // A folder (or anything but a file) in the way: writing it fails, and says so in words.
  if (!st.isFile()) return 'changed';
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
