import type { Ctx } from '../../context.js';
import { UsageError } from '../../core/errors.js';
import { importLogCsv } from '../../log/import.js';
import { openLog } from './common.js';

export async function run(ctx: Ctx, args: unknown[], o: { dryRun?: boolean; maxErrors?: string }): Promise<number> {
  const maxErrors = Number(o.maxErrors ?? 50);
  if (!Number.isInteger(maxErrors) || maxErrors < 1) throw new UsageError(`--max-errors "${o.maxErrors}": expected a whole number of at least 1`);
  const log = await openLog(ctx, true);
  const r = await importLogCsv(log, String(args[0]), { dryRun: !!o.dryRun, maxErrors });
  ctx.out(`${r.file}: ${r.requests} request${r.requests === 1 ? '' : 's'} (${r.closed} closed, ${r.requests - r.closed} open) ${o.dryRun ? 'checked; dry run: nothing written' : 'added to the log'}\n`);
  return 0;
}
