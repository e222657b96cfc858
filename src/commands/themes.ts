import type { Ctx } from '../context.js';
import { renderListing } from '../output/listing.js';

interface Row { kind: string; name: string; label: string; grants: number }

export async function run(ctx: Ctx): Promise<number> {
  const db = await ctx.openRegister('read');
  const rows = db.prepare(`
    SELECT 'theme' AS kind, name, label, (SELECT count(*) FROM grant_theme t WHERE t.theme = name) AS grants FROM theme
    UNION ALL
    SELECT 'flag', name, question, (SELECT count(*) FROM grant_flag f WHERE f.flag = name) FROM flag_def
    UNION ALL
    SELECT 'measure', name, label, (SELECT count(*) FROM figure f WHERE f.measure = name) FROM measure
    ORDER BY 1 DESC, 2`).all() as Row[];
  ctx.out(renderListing({
    columns: [
      { header: 'Kind', value: (r) => r.kind },
      { header: 'Name', value: (r) => r.name },
      { header: 'Label', value: (r) => r.label },
      { header: 'Grants', align: 'right', value: (r) => String(r.grants) },
    ],
    rows,
    json: rows,
  }, ctx.format()));
  return 0;
}
