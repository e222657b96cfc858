import { existsSync, readFileSync } from 'node:fs';
import type { Ctx } from '../context.js';
import { DataError, UsageError } from '../core/errors.js';
import { renderListing } from '../output/listing.js';

export async function run(ctx: Ctx, args: unknown[], opts: { body?: string; asAt?: string; letterVersion?: string }): Promise<number> {
  const file = String(args[0]);
  let record: import('../letters/answer.js').AnswerRecord;
  // A file that is not there is a mistake in the command, as for `foi answer` (exit 2); one that
  // cannot be read as a record is a failure (exit 1).
  if (!existsSync(file)) throw new UsageError(`${file}: no such answer record`);
  try {
    record = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DataError(`${file}: cannot read the answer record: ${(e as Error).message.replace(/\s+/g, ' ')}`);
  }
  const { ANSWER_FORMAT, diffEvidence } = await import('../letters/answer.js');
  if (record?.format !== ANSWER_FORMAT) throw new DataError(`${file}: not a foi answer record (expected "format": "${ANSWER_FORMAT}")`);
  const { buildLetter } = await import('../letters/build-view.js');
  const { loadBodyConfig } = await import('../letters/body-config.js');
  // An earlier version of the letter (one that was sent before a batch regenerated it) is checked
  // against its own figures: --version 1 is the first letter written.
  const versions = [...(record.versions ?? []), { fingerprint: record.fingerprint, responseDate: record.request.responseDate, due: record.due, cells: record.cells }];
  const n = opts.letterVersion === undefined ? versions.length : Number(opts.letterVersion);
  const held = `this record has ${versions.length} version${versions.length === 1 ? '' : 's'} (1 to ${versions.length})`;
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--letter-version "${opts.letterVersion}": expected a whole number of at least 1; ${held}`);
  // A version this record does not hold is a failed lookup, not bad usage.
  if (n > versions.length) throw new DataError(`--letter-version ${n}: ${held}`);
  const checked = versions[n - 1];
  const db = await ctx.openRegister('read', { asAt: opts.asAt });
  const { evidence } = buildLetter(db, { ...record.request, responseDate: checked.responseDate }, { body: loadBodyConfig(opts.body ?? null), today: checked.responseDate ?? '' });
  const changes = diffEvidence(checked.cells, evidence.cells);
  const format = ctx.format();
  if (format === 'table' && !changes.length) {
    const which = versions.length > 1 ? ` (version ${n} of ${versions.length})` : '';
    ctx.out(`${record.reference}${which}: unchanged; all ${checked.cells.length} figures match the register${opts.asAt ? ` as at ${opts.asAt}` : ''} (fingerprint ${evidence.fingerprint.slice(0, 12)})\n`);
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
