import type { Ctx } from '../context.js';
import { todayInLondon } from '../core/dates.js';
import { checkRegister } from '../register/check.js';
import { renderListing } from '../output/listing.js';

export async function run(ctx: Ctx): Promise<number> {
  const db = await ctx.openRegister('read');
  const report = checkRegister(db, todayInLondon());
  const format = ctx.format();
  ctx.out(renderListing({
    columns: [
      { header: 'Status', value: (f) => f.status },
      { header: 'Check', value: (f) => f.kind },
      { header: 'Subject', value: (f) => f.subject },
      { header: 'Detail', value: (f) => f.detail },
    ],
    rows: report.findings,
    notes: [`${report.findings.length - report.mismatches - report.warnings} reconciled, ${report.mismatches} mismatched, ${report.warnings} warnings`],
    json: report,
  }, format));
  if (report.mismatches && format !== 'json') ctx.err(`foi: ${report.mismatches} stated total${report.mismatches === 1 ? ' does' : 's do'} not reconcile\n`);
  return report.mismatches ? 1 : 0;
}
