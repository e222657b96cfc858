import { basename, extname, resolve } from 'node:path';
import type { Ctx } from '../context.js';
import { AtomicFile, writeFileAtomic } from '../core/atomic-write.js';
import { UsageError } from '../core/errors.js';
import { markdownEscape } from '../core/markdown-escape.js';
import { formatMoney, formatNumber, penceToDecimal } from '../core/money.js';
import { BASIS_LABELS, ROW_ORDERS, queryGrants, streamGrants, type GrantRow, type QueryTotals, type RowOrder } from '../register/query.js';
import { queryTotals } from '../register/query-totals.js';
import { criteriaQuery, type CriteriaOpts } from './criteria.js';
import { csvCell, renderListing, writeCsv, type Column, type Format, type Listing } from '../output/listing.js';
import { listingAmountCell, money, sheetCellText, text } from '../output/table-cells.js';

interface Opts extends CriteriaOpts {
  order?: string; format?: string; out?: string; totalsOnly?: boolean;
}

/** Lines under a listing that say what each total includes and what it leaves out. */
export function totalNotes(result: QueryTotals, includeWithdrawn = false): string[] {
  const notes: string[] = [];
  if (!result.count) return ['No grants matched.'];
  if (includeWithdrawn) notes.push('Grants withdrawn from their source, if any, are listed and counted in the total (--include-withdrawn).');
  for (const t of result.totals) {
    const m = (p: number) => formatMoney(p, { currency: t.currency });
    notes.push(`Total${result.totals.length > 1 ? ` in ${t.currency}` : ''}: ${m(t.totalPence)}, the stated amounts counted.`);
    if (t.maximumPence) notes.push(`Not in the total: up to ${m(t.maximumPence)} in "up to" amounts (maxima, not sums awarded).`);
  }
  for (const r of result.outside) {
    notes.push(`Not in the total: ${formatMoney(r.amountPence ?? 0, { currency: r.currency })} for ${r.period} (${r.id} line ${r.seq}), which covers years not asked for and is not split by year.`);
  }
  if (result.totals.length > 1) notes.push('Amounts in different currencies are never added together.');
  if (result.superseded) notes.push('Superseded budgets are listed for comparison but not counted.');
  if (result.rowsWithoutAmount) notes.push(`${result.rowsWithoutAmount} row${result.rowsWithoutAmount === 1 ? ' has' : 's have'} no stated amount and add${result.rowsWithoutAmount === 1 ? 's' : ''} nothing to the total.`);
  return notes;
}

/** The fields the listing's columns read: a streamed CSV listing reads only these from the register. */
const LISTED_FIELDS = [
  'financialYear', 'period', 'multiYear', 'title', 'recipient', 'stream', 'funder', 'amountPence', 'currency', 'amountStatus', 'superseded',
  'countedAs', 'basis', 'sourceRef', 'id',
] as const;
type ListedRow = Pick<GrantRow, (typeof LISTED_FIELDS)[number]>;

/** The listing's columns: CSV gives the amount as a number with its currency and how it counts. */
function listingColumns(format: string): Column<ListedRow>[] {
  const period = (r: ListedRow) => r.financialYear ?? (r.period ? `${r.period}${r.multiYear ? ' (not split by year)' : ''}` : '');
  const columns: Column<ListedRow>[] = [
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
  return columns;
}

/** What the JSON output says about the totals (the listing adds its rows). */
function totalsJson(t: QueryTotals) {
  return {
    count: t.count,
    // GBP only; `totals` has every currency. Maxima ("up to") are never part of totalPence.
    totalPence: t.totalPence,
    maximumPence: t.maximumPence,
    totals: t.totals,
    notInTotal: t.outside.map((r) => ({ id: r.id, seq: r.seq, amountPence: r.amountPence, currency: r.currency, period: r.period, reason: 'covers financial years not asked for; not split by year' })),
  };
}

/** `--totals-only`: the count and totals in the format asked for, without the rows. */
export function renderTotals(t: QueryTotals, format: Format, includeWithdrawn = false): string {
  switch (format) {
    case 'json':
      return JSON.stringify({ ...totalsJson(t), rowsWithoutAmount: t.rowsWithoutAmount, superseded: t.superseded }, null, 2) + '\n';
    case 'csv': {
      const head = ['Rows', 'Rows without amount', 'Currency', 'Total', 'Up to (not in total)', 'Other years (not in total)'];
      const lines = t.totals.length
        ? t.totals.map((c) => [String(t.count), String(t.rowsWithoutAmount), c.currency, penceToDecimal(c.totalPence), penceToDecimal(c.maximumPence), penceToDecimal(c.outsidePence)])
        : [[String(t.count), String(t.rowsWithoutAmount), '', '', '', '']];
      return [head, ...lines].map((l) => l.map(csvCell).join(',')).join('\r\n') + '\r\n';
    }
    case 'md':
      // Paragraphs, escaped: in Markdown, lines one under another would run into one.
      return [`${formatNumber(t.count)} row${t.count === 1 ? '' : 's'}`, ...totalNotes(t, includeWithdrawn)].map(markdownEscape).join('\n\n') + '\n';
    default:
      return [`${formatNumber(t.count)} row${t.count === 1 ? '' : 's'}`, ...totalNotes(t, includeWithdrawn)].join('\n') + '\n';
  }
}

export async function run(ctx: Ctx, _args: unknown[], opts: Opts): Promise<number> {
  // A workbook goes to a file, written atomically, never to stdout: a terminal cannot show it, and
  // a shell redirect would leave half a file (or an emptied one) when the command fails.
  const xlsx = opts.format === 'xlsx';
  if (xlsx && opts.totalsOnly) throw new UsageError('--totals-only prints the count and totals; a workbook (--format xlsx) holds the rows: use one or the other');
  if (xlsx && !opts.out) throw new UsageError('--format xlsx writes a workbook: say where with --out FILE.xlsx');
  if (xlsx && extname(opts.out!) && extname(opts.out!).toLowerCase() !== '.xlsx') {
    throw new UsageError(`--format xlsx writes a workbook: name it .xlsx, not "${basename(opts.out!)}"`);
  }
  const format = xlsx ? 'table' : ctx.format();
  const order = (opts.order ?? 'year').toLowerCase();
  if (!(ROW_ORDERS as readonly string[]).includes(order)) throw new UsageError(`--order "${opts.order}": expected one of ${ROW_ORDERS.join(', ')}`);
  const db = await ctx.openRegister('read', { asAt: opts.asAt });
  const q = criteriaQuery(db, opts);
  q.order = order as RowOrder;
  const wrote = (t: QueryTotals) => {
    const gbpOnly = t.totals.every((c) => c.currency === 'GBP');
    ctx.out(`wrote ${opts.out}: ${t.count} row${t.count === 1 ? '' : 's'}${gbpOnly ? `, total ${formatMoney(t.totalPence)}` : ''}\n`);
  };

  if (opts.totalsOnly) {
    // One aggregate over the lines: no row is read.
    const totals = queryTotals(db, q);
    const data = renderTotals(totals, format, q.includeWithdrawn);
    if (!opts.out) ctx.out(data);
    else {
      writeFileAtomic(resolve(opts.out), data);
      wrote(totals);
    }
    return 0;
  }
  const columns = listingColumns(format);
  if (format === 'csv') {
    // CSV has no totals: the rows stream from the register to the output, in order, never all held.
    if (!opts.out) {
      writeCsv(columns, streamGrants(db, q, LISTED_FIELDS), (chunk) => ctx.out(chunk));
      return 0;
    }
    // Streamed into a temp file beside the target, renamed into place once complete.
    const file = new AtomicFile(resolve(opts.out));
    try {
      writeCsv(columns, streamGrants(db, q, LISTED_FIELDS), (chunk) => file.write(chunk));
    } catch (e) {
      file.abort();
      throw e;
    }
    file.commit();
    wrote(queryTotals(db, q));
    return 0;
  }

  const result = queryGrants(db, q);
  const gbpOnly = result.totals.every((t) => t.currency === 'GBP');
  const footer = result.count ? ['Total', `${result.count} row${result.count === 1 ? '' : 's'}`, '', '', gbpOnly ? formatMoney(result.totalPence) : 'see below', '', '', ''] : null;
  const listing: Listing<GrantRow> = {
    columns,
    rows: result.rows,
    footer,
    notes: totalNotes(result, q.includeWithdrawn),
    json: format !== 'json' ? null : {
      ...totalsJson(result),
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
  wrote(result);
  return 0;
}
