/**
 * What every command gets: global options, output streams and the register.
 * Commands stay thin: parse options, call a domain function, print.
 */
import type { Db } from './db/open.js';
import { UsageError } from './core/errors.js';
import { parseFormat, type Format } from './output/listing.js';

export interface GlobalOptions {
  db?: string;
  debug?: boolean;
  format?: string;
}

export interface Ctx {
  readonly globals: GlobalOptions;
  out(text: string): void;
  err(text: string): void;
  readonly stderrIsTTY: boolean;
  readonly stdinIsTTY: boolean;
  format(): Format;
  /** The register path from --db or FOI_DB, or null for the embedded MOPAC register. */
  registerPath(): string | null;
  /**
   * Open the register. Reads without --db/FOI_DB use the embedded MOPAC register (in memory).
   * `asAt` (from --as-at) reads a register file as it was at that date or time.
   */
  openRegister(mode: 'read' | 'write', opts?: { asAt?: string | null }): Promise<Db>;
}

export function makeContext(globals: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Ctx {
  const opened: Db[] = [];
  const ctx: Ctx = {
    globals,
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    stderrIsTTY: !!process.stderr.isTTY,
    stdinIsTTY: !!process.stdin.isTTY,
    format: () => parseFormat(globals.format),
    registerPath: () => globals.db ?? (env.FOI_DB ? env.FOI_DB : null),
    async openRegister(mode, opts = {}) {
      const { openDatabase } = await import('./db/open.js');
      const path = ctx.registerPath();
      const asAt = opts.asAt ? (await import('./core/instants.js')).parseAsAt(opts.asAt) : null;
      if (path === null) {
        if (mode === 'write') {
          throw new UsageError('the embedded MOPAC register is read-only; give a register file with --db PATH or FOI_DB (create one with "foi init --db PATH --sample")');
        }
        if (asAt) ctx.err('foi: the embedded MOPAC register has no history; --as-at reads a register file (--db or FOI_DB)\n');
        const { openDefaultRegister } = await import('./register/default-register.js');
        const db = await openDefaultRegister();
        opened.push(db);
        return db;
      }
      const db = openDatabase(path, { create: mode === 'write' });
      opened.push(db);
      if (asAt) (await import('./register/history.js')).applyAsAt(db, asAt);
      return db;
    },
  };
  process.once('exit', () => {
    for (const db of opened) if (db.open) db.close();
  });
  return ctx;
}
