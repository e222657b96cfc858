/**
 * `foi export 360giving`: the register's grants (or those the criteria select) as a 360Giving
 * JSON package, or its flattened form as CSV or XLSX, written atomically; the same register and
 * criteria always give the same bytes.
 *
 * Each grant is exported whole (every money line, whichever matched the criteria), in the
 * register's order (source file, then position in it):
 * - a grant imported from a 360Giving file as its record was published (the organisations as
 *   that record named them, every field the publisher gave, src/register/published-record.ts),
 *   in a schema-valid form (src/export/valid-form.ts);
 * - the register's own grants from their columns, with the `foi` extension for what the
 *   standard has no field for (src/export/register-record.ts).
 * Every record is checked against the official schema before it is written. A grant the standard
 * cannot express without inventing a figure (no award date or amount the register can give) is
 * an error naming it, unless `skipIncomplete`, when it is left out and listed.
 */
import type { Db } from '../db/open.js';
import { AtomicFile, writeFileAtomic } from '../core/atomic-write.js';
import { DataError } from '../core/errors.js';
import { queryGrants, type GrantQuery } from '../register/query.js';
import { publishedParts } from '../register/published-record.js';
import { csvCell } from '../output/listing.js';
import { MAX_CELL_CHARS } from '../output/xlsx.js';
import type { PlainCell } from '../output/table-cells.js';
import { flattenRecords, type FlatValue } from './flatten.js';
import { MissingField, RegisterRecords } from './register-record.js';
import { validForm } from './valid-form.js';

type Obj = Record<string, unknown>;

export type ExportFormat = 'json' | 'csv' | 'xlsx';

/** The 360Giving schema version the records are checked against (vendored in schemas/360giving/). */
export const STANDARD_VERSION = '1.4';

export interface ExportOptions {
  format: ExportFormat;
  includeNotes?: boolean;
  skipIncomplete?: boolean;
}

export interface ExportResult {
  grants: number;
  /** Grants left out (with skipIncomplete), and why. */
  skipped: MissingField[];
  /** GBP amounts awarded in the records written (pence). */
  totalPence: number;
}

/** The grants the criteria select, each once, in the register's order. */
export function selectGrantIds(db: Db, q: GrantQuery): string[] {
  const rows = queryGrants(db, { ...q, order: 'register' }).rows;
  const seen = new Set<string>();
  const ids: string[] = [];
  for (const r of rows) {
    if (!seen.has(r.id)) {
      seen.add(r.id);
      ids.push(r.id);
    }
  }
  return ids;
}

/** One grant's record, schema-valid; a MissingField when the standard cannot express it. */
export function* exportRecords(db: Db, ids: readonly string[], opts: { includeNotes?: boolean } = {}): Generator<Obj | MissingField> {
  const own = new RegisterRecords(db, opts);
  for (const id of ids) {
    const parts = publishedParts(db, id);
    const built = parts ? parts.record : own.record(id);
    if (built instanceof MissingField) {
      yield built;
      continue;
    }
    const v = validForm(built, parts ? parts.columns : built);
    yield v.ok ? v.record : new MissingField(id, v.path, `the record does not meet the 360Giving schema at ${v.path}: ${v.message}`);
  }
}

function incomplete(missing: MissingField[]): DataError {
  const n = missing.length;
  return new DataError(
    `${n} grant${n === 1 ? '' : 's'} cannot be exported as 360Giving without inventing what the register does not hold; nothing was written`,
    [...missing.slice(0, 50).map((m) => `${m.grantId}: ${m.field}: ${m.reason}`), ...(n > 50 ? [`… and ${n - 50} more`] : []), '(--skip-incomplete leaves them out and writes the rest)'],
  );
}

/** Writes the export to `out`. */
export async function exportPackage(db: Db, q: GrantQuery, out: string, opts: ExportOptions): Promise<ExportResult> {
  const ids = selectGrantIds(db, q);
  if (!ids.length) throw new DataError('no grants match the criteria; nothing was written (a 360Giving package needs at least one grant)');
  const skipped: MissingField[] = [];
  let totalPence = 0;
  let grants = 0;
  const count = (rec: Obj) => {
    grants++;
    if (rec.currency === 'GBP' && typeof rec.amountAwarded === 'number') totalPence += Math.round(rec.amountAwarded * 100);
  };
  if (opts.format === 'json') {
    // Streamed: a register of a million grants is never one string.
    const file = new AtomicFile(out);
    try {
      file.write(`{\n  "version": ${JSON.stringify(STANDARD_VERSION)},\n  "grants": [`);
      for (const rec of exportRecords(db, ids, opts)) {
        if (rec instanceof MissingField) {
          skipped.push(rec);
          continue;
        }
        file.write(`${grants ? ',' : ''}\n    ${JSON.stringify(rec, null, 2).replace(/\n/g, '\n    ')}`);
        count(rec);
      }
      file.write('\n  ]\n}\n');
      if (skipped.length && !opts.skipIncomplete) throw incomplete(skipped);
      if (!grants) throw new DataError('none of the grants selected can be exported as 360Giving; nothing was written', skipped.map((m) => `${m.grantId}: ${m.field}: ${m.reason}`));
      file.commit();
    } catch (e) {
      file.abort();
      throw e;
    }
    return { grants, skipped, totalPence };
  }

  const records: Obj[] = [];
  for (const rec of exportRecords(db, ids, opts)) {
    if (rec instanceof MissingField) skipped.push(rec);
    else {
      records.push(rec);
      count(rec);
    }
  }
  if (skipped.length && !opts.skipIncomplete) throw incomplete(skipped);
  if (!records.length) throw new DataError('none of the grants selected can be exported as 360Giving; nothing was written');
  const table = flattenRecords(records);
  if (opts.format === 'csv') {
    const lines = [table.columns.map((c) => csvCell(c.title)).join(',')];
    // Amounts to the penny, as the flat readers read them (a published 41133.770000000004 is 41133.77).
    const cell = (v: FlatValue, i: number) => csvCell(typeof v === 'number' && table.columns[i].kind === 'amount' ? String(Number(v.toFixed(2))) : String(v));
    for (const row of table.rows) lines.push(row.map(cell).join(','));
    writeFileAtomic(out, lines.join('\r\n') + '\r\n');
  } else {
    const { writeXlsx } = await import('../output/xlsx.js');
    const rows = table.rows.map((row, r) => row.map((v, i): PlainCell => {
      const col = table.columns[i];
      if (typeof v === 'number') {
        return col.kind === 'amount' ? { kind: 'money', pence: Math.round(v * 100), currency: table.currencies[r], prefix: '', suffix: '' } : { kind: 'number', value: v };
      }
      if (v.length > MAX_CELL_CHARS) {
        throw new DataError(`${String(records[r].id)}: ${col.title} holds ${v.length.toLocaleString('en-GB')} characters, more than a workbook cell holds (${MAX_CELL_CHARS.toLocaleString('en-GB')}); export it as JSON or CSV`);
      }
      return { kind: 'text', text: v };
    }));
    const bytes = await writeXlsx({
      sheets: [{ name: 'grants', columns: table.columns.map((c) => ({ header: c.title, align: c.kind === 'text' ? 'left' : 'right' })), rows, totals: [] }],
      creator: 'foi', title: '360Giving grants', date: '2000-01-01',
    });
    writeFileAtomic(out, bytes);
  }
  return { grants, skipped, totalPence };
}
