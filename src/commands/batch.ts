import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Ctx } from '../context.js';
import { DataError, UsageError } from '../core/errors.js';
import { todayInLondon } from '../core/dates.js';
import { terminalText } from '../core/control-chars.js';
import { renderListing } from '../output/listing.js';
import { padToWidth, truncateToWidth } from '../output/display-width.js';

export async function run(ctx: Ctx, args: unknown[], opts: { out?: string; check?: boolean; templates?: string; body?: string; referenceDocx?: string; jobs?: string; strict?: boolean }): Promise<number> {
  const jobs = opts.jobs === undefined ? undefined : Number(opts.jobs);
  if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1 || jobs > 64)) throw new UsageError(`--jobs "${opts.jobs}": expected a whole number from 1 to 64`);
  const inDir = resolve(String(args[0]));
  if (!existsSync(inDir) || !statSync(inDir).isDirectory()) throw new UsageError(`${args[0]}: no such folder of request files`);
  if (!opts.out) throw new UsageError('say where the letters go: foi batch DIR --out DIR');
  const outDir = resolve(opts.out);
  const db = await ctx.openRegister('read');
  const { loadBodyFile, placeholderWarning } = await import('../letters/body-config.js');
  const bodyFile = loadBodyFile(opts.body ?? null);
  const placeholders = placeholderWarning(bodyFile);
  if (placeholders && opts.strict) throw new DataError(placeholders);
  const { runBatch } = await import('../letters/batch.js');
  const progress = ctx.stderrIsTTY
    ? (done: number, total: number, file: string) => {
        const width = 30;
        const filled = Math.round((done / Math.max(total, 1)) * width);
        ctx.err(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${padToWidth(truncateToWidth(terminalText(file), 40, 'end'), 40)}`);
      }
    : undefined;
  const result = await runBatch(db, inDir, outDir, {
    body: bodyFile.body, today: todayInLondon(), templatesDir: opts.templates ?? null,
    referenceDocx: opts.referenceDocx ?? null, check: !!opts.check, onProgress: progress, jobs, registerPath: ctx.registerPath(),
  });
  if (progress) ctx.err('\r\x1b[K');
  const c = result.counts;
  const format = ctx.format();
  const shown = format === 'table' ? result.items.filter((i) => i.status !== 'unchanged') : result.items;
  const summary = `${result.items.length} requests: ${c.created} created, ${c.changed} changed, ${c.unchanged} unchanged, ${c.failed} failed${opts.check ? ' (check only: nothing written)' : ''}`;
  // At a terminal, a table of nothing is noise: when every request is unchanged, the count says so.
  if (format === 'table' && !shown.length) ctx.out(`${summary}\n`);
  else ctx.out(renderListing({
    columns: [
      { header: 'Status', value: (i) => (opts.check && i.status !== 'unchanged' && i.status !== 'failed' ? `would be ${i.status}` : i.status) },
      { header: 'Request', value: (i) => i.file },
      { header: 'Detail', value: (i) => i.error ?? i.outputs.filter((o) => o.status !== 'unchanged').map((o) => `${o.path} (${o.status})`).join(', ') },
    ],
    rows: shown,
    notes: [summary],
    json: result,
  }, format));
  if (format === 'table') {
    // Letters whose figures changed since their last answer record, by reference and figure.
    for (const i of result.items) {
      for (const ch of i.figureChanges) {
        ctx.out(`${terminalText(`${i.reference}: question ${ch.question}${ch.table ? ` (${ch.table})` : ''} ${ch.grantId} ${ch.column}: ${ch.before ?? '(not shown)'} → ${ch.after ?? '(gone)'}`)}\n`);
      }
    }
  }
  for (const i of result.items) for (const w of i.warnings) ctx.err(`foi: warning: ${terminalText(w)}\n`);
  if (placeholders) ctx.err(`foi: warning: ${placeholders}\n`);
  if (c.failed) ctx.err(`foi: ${c.failed} request${c.failed === 1 ? '' : 's'} failed: ${terminalText(result.items.filter((i) => i.status === 'failed').map((i) => i.file).join(', '))}\n`);
  if (opts.check && (c.created || c.changed)) ctx.err(`foi: ${c.created + c.changed} request${c.created + c.changed === 1 ? '' : 's'} would change; run without --check to write them\n`);
  return c.failed || (opts.check && (c.created || c.changed)) ? 1 : 0;
}
