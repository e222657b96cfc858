import type { Ctx } from '../context.js';
import { formatMoney } from '../core/money.js';
import { formatLondonTime } from '../core/instants.js';
import { describeBy, describeChange, grantHistory } from '../register/history.js';
import { noSuchGrant } from '../register/grant-detail.js';
import { renderListing } from '../output/listing.js';

export async function run(ctx: Ctx, args: unknown[]): Promise<number> {
  const id = String(args[0]);
  const db = await ctx.openRegister('read');
  const entries = grantHistory(db, id);
  if (!entries) throw noSuchGrant(db, id, ctx.registerPath() ?? 'the embedded MOPAC register');
  const money = (p: number) => formatMoney(p);
  ctx.out(renderListing({
    columns: [
      { header: 'Version', align: 'right', value: (e) => String(e.version) },
      { header: 'When', value: (e) => (e.at ? formatLondonTime(e.at) : 'before history was kept') },
      { header: 'What', value: (e) => e.action },
      { header: 'By', value: (e) => describeBy(e.by) },
      { header: 'Changes', value: (e) => e.fields.map((f) => describeChange(f, money)).join('; ') },
    ],
    rows: entries,
    json: { id, versions: entries },
  }, ctx.format()));
  return 0;
}
