import type { Ctx } from '../../context.js';
import { formatLongDate } from '../../core/dates.js';
import { optionDate } from '../../log/values.js';
import { openLog } from './common.js';

export async function run(ctx: Ctx, _args: unknown[], o: { closedBefore?: string; wording?: boolean; dryRun?: boolean }): Promise<number> {
  const before = optionDate('--closed-before', o.closedBefore);
  const log = await openLog(ctx);
  const r = log.purge(before, { wording: !!o.wording, dryRun: !!o.dryRun }, 'log purge');
  const verb = o.dryRun ? 'would remove' : 'removed';
  for (const p of r.purged) ctx.out(`${p.reference}: ${verb} ${p.fields.join(', ')}\n`);
  for (const k of r.kept) ctx.out(`${k.reference}: kept (${k.reason})\n`);
  const n = (k: number) => `${k} request${k === 1 ? '' : 's'}`;
  ctx.out(`personal data ${o.dryRun ? 'would be removed' : 'removed'} from ${n(r.purged.length)} closed before ${formatLongDate(before)}; ${n(r.kept.length)} kept${o.dryRun ? ' (dry run: nothing written)' : ''}\n`);
  return 0;
}
