/**
 * Typed errors. Library code throws these; only the CLI turns them into exit codes
 * (2 for usage, 1 for failures) and one line on stderr.
 */
export class FoiError extends Error {
  readonly exitCode: number;
  /** Extra lines printed after the one-line message (e.g. a list of import errors). */
  readonly details: string[];
  constructor(message: string, exitCode = 1, details: string[] = []) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.details = details;
  }
}

/** The user asked for something the command cannot understand (exit 2). */
export class UsageError extends FoiError {
  constructor(message: string, details: string[] = []) {
    super(message, 2, details);
  }
}

/** Bad data, a failed check or a failed import (exit 1). */
export class DataError extends FoiError {
  constructor(message: string, details: string[] = []) {
    super(message, 1, details);
  }
}

/** Lists known values for "unknown X" messages: `known: a, b, c`. */
export function knownList(values: Iterable<string>): string {
  const all = [...values];
  return all.length ? `known: ${all.join(', ')}` : 'none are known';
}

/** A file-system error in words, naming the file the user gave (a rename's target, not the temp file), or null. */
export function fileSystemMessage(e: unknown): string | null {
  const x = e as NodeJS.ErrnoException & { dest?: string };
  const why: Record<string, string> = {
    EISDIR: 'a folder of that name is in the way', ENOTDIR: 'part of the path is a file, not a folder',
    EACCES: 'permission denied', EPERM: 'permission denied', ENOSPC: 'no space left on the disk', EROFS: 'the file system is read-only',
  };
  if (x?.syscall === 'mkdir') why.EEXIST = 'a file of that name is in the way (a folder is needed here)';
  const file = x?.dest ?? x?.path;
  return x && typeof x.code === 'string' && why[x.code] && file ? `${file}: ${why[x.code]}` : null;
}
