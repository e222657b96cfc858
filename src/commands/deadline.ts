import type { Ctx } from '../context.js';
import { UsageError } from '../core/errors.js';
import { formatLongDateWithWeekday, parseDate } from '../core/dates.js';
import { computeDeadline, explainDeadline } from '../deadline/working-days.js';

export async function run(ctx: Ctx, args: unknown[], opts: { explain?: boolean; days?: string }): Promise<number> {
  const raw = String(args[0]);
  const d = parseDate(raw);
  if (!d.ok) throw new UsageError(`date received: ${d.reason}`);
  const days = Number(opts.days ?? 20);
  if (!Number.isInteger(days) || days < 1 || days > 60) throw new UsageError(`--days "${opts.days}": expected a whole number of working days from 1 to 60`);
  const result = computeDeadline(d.date, { workingDays: days });
  const format = ctx.format();
  if (format === 'json') {
    ctx.out(JSON.stringify(result, null, 2) + '\n');
    return 0;
  }
  if (opts.explain) for (const line of explainDeadline(result)) ctx.out(line + '\n');
  else ctx.out(`Received ${formatLongDateWithWeekday(result.received)}: due ${formatLongDateWithWeekday(result.due)} (${result.due})\n`);
  return 0;
}
