/**
 * Output files are written atomically: a temp file beside the target, then rename. A reader never
 * sees half a letter, and a failure leaves the old file as it was.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeSync, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    writeSync(fd, buf, 0, buf.length);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
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
