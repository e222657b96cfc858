import { readFileSync } from 'node:fs';
import type { Ctx } from '../context.js';
import { DataError } from '../core/errors.js';
import { renderListing } from '../output/listing.js';

export async function run(ctx: Ctx, args: unknown[], opts: { body?: string }): Promise<number> {
  const file = String(args[0]);
  let record: import('../letters/answer.js').AnswerRecord;
  try {
    record = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DataError(`${file}: cannot read the answer record: ${(e as Error).message.replace(/\s+/g, ' ')}`);
  }
  const { ANSWER_FORMAT, diffEvidence } = await import('../letters/answer.js');
  if (record?.format !== ANSWER_FORMAT) throw new DataError(`${file}: not a foi answer record (expected "format": "${ANSWER_FORMAT}")`);
  const { buildLetter } = await import('../letters/build-view.js');
  const { loadBodyConfig } = await import('../letters/body-config.js');
  const db = await ctx.openRegister('read');
  const { evidence } = buildLetter(db, record.request, { body: loadBodyConfig(opts.body ?? null), today: record.request.responseDate ?? '' });
  const changes = diffEvidence(record.cells, evidence.cells);
  const format = ctx.format();
  if (format === 'table' && !changes.length) {
    ctx.out(`${record.reference}: unchanged; all ${record.cells.length} figures match the register (fingerprint ${evidence.fingerprint.slice(0, 12)})\n`);
    return 0;
  }
  ctx.out(renderListing({
    columns: [
      { header: 'Question', value: (c) => String(c.question) },
      { header: 'Table', value: (c) => c.table ?? '' },
      { header: 'Grant', value: (c) => c.grantId },
      { header: 'Column', value: (c) => c.column },
      { header: 'Was', value: (c) => c.before ?? '(not shown)' },
      { header: 'Now', value: (c) => c.after ?? '(gone)' },
    ],
    rows: changes,
    notes: changes.length ? [`${record.reference}: ${changes.length} figure${changes.length === 1 ? '' : 's'} changed since the letter was written`] : [],
    json: { reference: record.reference, changed: changes.length, fingerprintBefore: record.fingerprint, fingerprintNow: evidence.fingerprint, changes },
  }, format));
  return changes.length ? 1 : 0;
}
