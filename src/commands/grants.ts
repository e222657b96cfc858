import { resolve } from 'node:path';
import type { Ctx } from '../context.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import { UsageError } from '../core/errors.js';
import { formatMoney, penceToDecimal } from '../core/money.js';
import { BASIS_LABELS, ROW_ORDERS, queryGrants, type GrantRow, type QueryResult, type RowOrder } from '../register/query.js';
import { criteriaQuery, type CriteriaOpts } from './criteria.js';
import { renderListing, type Column, type Listing } from '../output/listing.js';
import { listingAmountCell, money, sheetCellText, text } from '../output/table-cells.js';

interface Opts extends CriteriaOpts {
  order?: string; format?: string; out?: string;
}

/** Lines under a listing that say what each total includes and what it leaves out. */
export function totalNotes(result: QueryResult): string[] {
  const notes: string[] = [];
  if (!result.count) return ['No grants matched.'];
  for (const t of result.totals) {
    const m = (p: number) => formatMoney(p, { currency: t.currency });
    notes.push(`Total${result.totals.length > 1 ? ` in ${t.currency}` : ''}: ${m(t.totalPence)}, the stated amounts counted.`);
    if (t.maximumPence) notes.push(`Not in the total: up to ${m(t.maximumPence)} in "up to" amounts (maxima, not sums awarded).`);
  }
  for (const r of result.outside) {
    notes.push(`Not in the total: ${formatMoney(r.amountPence ?? 0, { currency: r.currency })} for ${r.period} (${r.id} line ${r.seq}), which covers years not asked for and is not split by year.`);
  }
  if (result.totals.length > 1) notes.push('Amounts in different currencies are never added together.');
  if (result.rows.some((r) => r.superseded)) notes.push('Superseded budgets are listed for comparison but not counted.');
  if (result.rowsWithoutAmount) notes.push(`${result.rowsWithoutAmount} row${result.rowsWithoutAmount === 1 ? ' has' : 's have'} no stated amount and add${result.rowsWithoutAmount === 1 ? 's' : ''} nothing to the total.`);
  return notes;
}

export async function run(ctx: Ctx, _args: unknown[], opts: Opts): Promise<number> {
  // A workbook goes to a file, written atomically, never to stdout: a terminal cannot show it, and
  // a shell redirect would leave half a file (or an emptied one) when the command fails.
  const xlsx = opts.format === 'xlsx';
  if (xlsx && !opts.out) throw new UsageError('--format xlsx writes a workbook: say where with --out FILE.xlsx');
  const format = xlsx ? 'table' : ctx.format();
  const order = (opts.order ?? 'year').toLowerCase();
  if (!(ROW_ORDERS as readonly string[]).includes(order)) throw new UsageError(`--order "${opts.order}": expected one of ${ROW_ORDERS.join(', ')}`);
  const db = await ctx.openRegister('read', { asAt: opts.asAt });
  const q = criteriaQuery(db, opts);
  q.order = order as RowOrder;
  const result = queryGrants(db, q);

  const period = (r: GrantRow) => r.financialYear ?? (r.period ? `${r.period}${r.multiYear ? ' (not split by year)' : ''}` : '');
  const columns: Column<GrantRow>[] = [
    { header: 'FY', value: period },
    { header: 'Grant', value: (r) => r.title },
    { header: 'Recipient', value: (r) => r.recipient ?? '' },
    { header: 'Funder', value: (r) => r.stream ?? r.funder ?? '' },
    // `£139,707`, `up to £240,000`, `not held`: one money line's amount in its own currency.
    { header: 'Amount', align: 'right', value: (r) => sheetCellText(listingAmountCell(r)), cell: listingAmountCell },
    { header: 'Basis', value: (r) => BASIS_LABELS[r.basis] },
    { header: 'Source', value: (r) => r.sourceRef ?? '' },
    { header: 'ID', value: (r) => r.id },
  ];
  if (format === 'csv') {
    columns.splice(4, 1,
      { header: 'Amount', align: 'right', value: (r) => (r.amountPence === null ? '' : penceToDecimal(r.amountPence)) },
      { header: 'Currency', value: (r) => r.currency },
      { header: 'Amount status', value: (r) => r.amountStatus },
      { header: 'In total', value: (r) => r.countedAs });
  }
  const gbpOnly = result.totals.every((t) => t.currency === 'GBP');
  const footer = result.count ? ['Total', `${result.count} row${result.count === 1 ? '' : 's'}`, '', '', gbpOnly ? formatMoney(result.totalPence) : 'see below', '', '', ''] : null;
  const listing: Listing<GrantRow> = {
    columns,
    rows: result.rows,
    footer,
    notes: totalNotes(result),
    json: {
      count: result.count,
      // GBP only; `totals` has every currency. Maxima ("up to") are never part of totalPence.
      totalPence: result.totalPence,
      maximumPence: result.maximumPence,
      totals: result.totals,
      notInTotal: result.outside.map((r) => ({ id: r.id, seq: r.seq, amountPence: r.amountPence, currency: r.currency, period: r.period, reason: 'covers financial years not asked for; not split by year' })),
      rows: result.rows.map((r) => ({
        id: r.id, seq: r.seq, title: r.title, recipient: r.recipient, recipientId: r.recipientId, funder: r.funder,
        funderId: r.funderId, financialYear: r.financialYear, period: r.period, fyFrom: r.fyFrom, fyTo: r.fyTo, multiYear: r.multiYear,
        amountPence: r.amountPence, currency: r.currency, amountStatus: r.amountStatus, basis: r.basis, stream: r.stream,
        programme: r.programme, note: r.note, footnote: r.footnote, superseded: r.superseded, countedAs: r.countedAs, sourceRef: r.sourceRef,
      })),
    },
  };
  let data: string | Uint8Array;
  if (xlsx) {
    const { listingSheet, writeXlsx } = await import('../output/xlsx.js');
    const total = footer && footer.map((v, i) => (i === 4 && gbpOnly ? money(result.totalPence) : text(v)));
    // Fixed properties (no clock): the same selection gives the same bytes.
    data = await writeXlsx({ sheets: [listingSheet('Grants', listing, total)], creator: 'foi', title: 'Grants', date: '2000-01-01' });
  } else {
    data = renderListing(listing, format);
  }
  if (!opts.out) {
    ctx.out(data as string);
    return 0;
  }
  writeFileAtomic(resolve(opts.out), data);
  ctx.out(`wrote ${opts.out}: ${result.count} row${result.count === 1 ? '' : 's'}${gbpOnly ? `, total ${formatMoney(result.totalPence)}` : ''}\n`);
  return 0;
}
