import type { Ctx } from '../../context.js';
import { UsageError } from '../../core/errors.js';
import { statusSentence } from '../../log/explain.js';
import { requestFacts, type RequestFlags } from './add.js';
import { openLog } from './common.js';

export async function run(ctx: Ctx, args: unknown[], f: RequestFlags & { clearAddress?: boolean }): Promise<number> {
  const changes = requestFacts(f);
  if (f.clearAddress) changes.requesterAddress = [];
  if (!Object.keys(changes).length) throw new UsageError('nothing to change: give --received, --regime, --requester, --email, --address, --clear-address, --wording or --wording-file');
  const log = await openLog(ctx);
  const { entry, changed } = log.edit(String(args[0]), changes, 'log edit');
  ctx.out(changed.length
    ? `${entry.request.reference}: corrected ${changed.join(', ')}; ${statusSentence(entry.clock)}\n`
    : `${entry.request.reference}: nothing changed (the log already says so)\n`);
  return 0;
}
