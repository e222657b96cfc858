import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Ctx } from '../context.js';
import { UsageError } from '../core/errors.js';
import { renderListing } from '../output/listing.js';
import { isHttpUrl } from '../publish/site-config.js';

export async function run(ctx: Ctx, args: unknown[], opts: { site?: string; baseUrl?: string; check?: boolean; body?: string; referenceDocx?: string }): Promise<number> {
  const lettersDir = resolve(String(args[0]));
  if (!existsSync(lettersDir) || !statSync(lettersDir).isDirectory()) throw new UsageError(`${args[0]}: no such folder of letters`);
  if (!opts.site) throw new UsageError('say where the site goes: foi publish LETTERS_DIR --site OUT');
  const siteDir = resolve(opts.site);
  if (siteDir === lettersDir) throw new UsageError(`${opts.site}: the site must go in its own folder, not the letters folder`);
  if (opts.baseUrl !== undefined && !isHttpUrl(opts.baseUrl)) throw new UsageError(`--base-url "${opts.baseUrl}": expected an http(s) address, e.g. https://www.example.gov.uk/foi/`);
  const format = ctx.format();
  const { loadBodyFile, shippedBodyConfigPath } = await import('../letters/body-config.js');
  const { publishSite } = await import('../publish/publish.js');
  const { body, site } = loadBodyFile(opts.body ?? null);
  // A logo in the body file is named relative to the body file.
  const dir = dirname(resolve(opts.body ?? shippedBodyConfigPath()));
  const result = await publishSite({
    lettersDir, siteDir, body, site, bodyDir: dir, baseUrl: opts.baseUrl ?? null, referenceDocx: opts.referenceDocx ?? null, check: !!opts.check,
  });
  for (const w of result.warnings) ctx.err(`foi: warning: ${w}\n`);
  const c = result.write.counts;
  const changed = result.write.files.filter((f) => f.status !== 'unchanged');
  const published = result.collected.responses;
  const held = result.collected.unpublished.length;
  ctx.out(renderListing({
    columns: [
      { header: 'Status', value: (f) => (opts.check ? `would be ${f.status}` : f.status) },
      { header: 'File', value: (f) => f.path },
    ],
    rows: format === 'table' || format === 'md' ? changed : result.write.files,
    notes: [`${published.length} response${published.length === 1 ? '' : 's'} published${held ? ` (${held} not marked publish: true)` : ''}; files: ${c.created} created, ${c.changed} changed, ${c.unchanged} unchanged, ${c.removed} removed${opts.check ? ' (check only: nothing written)' : ''}`],
    json: {
      published: published.map((r) => ({ reference: r.reference, page: `responses/${r.base}.html`, responseDate: r.responseDate, outcome: r.outcome.label })),
      notPublished: result.collected.unpublished,
      counts: c,
      files: result.write.files,
      warnings: result.warnings,
      check: !!opts.check,
    },
  }, format));
  if (opts.check && changed.length) {
    ctx.err(`foi: the site would change (${changed.length} file${changed.length === 1 ? '' : 's'}); run without --check to publish\n`);
    return 1;
  }
  return 0;
}
