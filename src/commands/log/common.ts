/** What the `foi log` commands share: the register file the log lives in, and how they report. */
import type { Ctx } from '../../context.js';
import { todayInLondon } from '../../core/dates.js';
import { UsageError } from '../../core/errors.js';
import type { RequestLog } from '../../log/requests.js';

/**
 * The log of the register given by --db or FOI_DB (the embedded register has none). Only
 * `create` (foi log add, foi log import) makes a new register file; the others need one.
 */
export async function openLog(ctx: Ctx, create = false): Promise<RequestLog> {
  if (!ctx.registerPath()) {
    throw new UsageError('the request log lives in a register file: give --db PATH or set FOI_DB (create one with "foi init --db PATH")');
  }
  // A register file is opened for writing either way; 'read' just refuses to create a missing one.
  const db = await ctx.openRegister(create ? 'write' : 'read');
  const { RequestLog } = await import('../../log/requests.js');
  return new RequestLog(db, todayInLondon());
}

export function warn(ctx: Ctx, reference: string, warnings: string[]): void {
  for (const w of warnings) ctx.err(`foi: warning: ${reference}: ${w}\n`);
}
