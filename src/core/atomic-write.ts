/**
 * Output files are written atomically: a temp file beside the target, then rename. A reader never
 * sees half a letter, and a failure leaves the old file as it was.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync, existsSync } from 'node:fs';
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
