import type { Ctx } from '../context.js';
import { UsageError } from '../core/errors.js';
import { renderListing } from '../output/listing.js';

export async function run(ctx: Ctx, args: unknown[], opts: { templates?: string }): Promise<number> {
  const action = String(args[0] ?? 'list');
  const format = ctx.format();
  if (action === 'list') {
    const { listTemplateFiles } = await import('../letters/template-set.js');
    const files = listTemplateFiles(opts.templates ?? null);
    ctx.out(renderListing({
      columns: [
        { header: 'Name', value: (f) => f.name },
        { header: 'Kind', value: (f) => f.kind },
        { header: 'From', value: (f) => (f.overrides ? `override of ${f.overrides}` : f.origin) },
        { header: 'File', value: (f) => f.file },
      ],
      rows: files,
      json: files,
    }, format));
    return 0;
  }
  if (action !== 'check') throw new UsageError(`templates ${action}: expected "list" or "check"`);
  const { checkTemplates } = await import('../letters/template-check.js');
  const checks = checkTemplates(opts.templates ?? null);
  const bad = checks.filter((c) => !c.ok);
  ctx.out(renderListing({
    columns: [
      { header: 'Status', value: (c) => (c.ok ? 'ok' : 'ERROR') },
      { header: 'File', value: (c) => c.file },
      { header: 'Problem', value: (c) => c.message ?? '' },
    ],
    rows: checks,
    notes: [`${checks.length} templates and partials checked: ${bad.length} with problems`],
    json: { ok: bad.length === 0, checks },
  }, format));
  if (bad.length) ctx.err(`foi: ${bad.length} template file${bad.length === 1 ? ' has' : 's have'} problems\n`);
  return bad.length ? 1 : 0;
}
