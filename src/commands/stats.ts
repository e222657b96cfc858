import type { Ctx } from '../context.js';
import { UsageError } from '../core/errors.js';
import { todayInLondon } from '../core/dates.js';
import { renderListing } from '../output/listing.js';
import { computeStats, statsRows } from '../log/stats.js';
import { optionDate, parseQuarter } from '../log/values.js';
import { openLog } from './log/common.js';

export async function run(ctx: Ctx, _args: unknown[], o: { from?: string; to?: string; quarter?: string; asOf?: string }): Promise<number> {
  let from: string;
  let to: string;
  if (o.quarter !== undefined) {
    if (o.from !== undefined || o.to !== undefined) throw new UsageError('give --quarter, or --from and --to, not both');
    ({ from, to } = parseQuarter(o.quarter));
  } else {
    if (o.from === undefined || o.to === undefined) throw new UsageError('say which period: --quarter 2026-Q3, or --from DATE --to DATE');
    from = optionDate('--from', o.from);
    to = optionDate('--to', o.to);
    if (to < from) throw new UsageError(`--to ${to} is before --from ${from}`);
  }
  const asOf = o.asOf === undefined ? todayInLondon() : optionDate('--as-of', o.asOf);
  const log = await openLog(ctx);
  const stats = computeStats(log.entries(asOf), from, to, asOf);
  ctx.out(renderListing({
    columns: [
      { header: 'Measure', value: (r) => r.label },
      { header: 'FOI', align: 'right', value: (r) => r.foi },
      { header: 'EIR', align: 'right', value: (r) => r.eir },
    ],
    rows: statsRows(stats),
    notes: [`Requests received ${from} to ${to}; as at ${asOf}.`],
    json: stats,
  }, ctx.format()));
  return 0;
}
