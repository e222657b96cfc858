import type { Ctx } from '../context.js';
import { UsageError } from '../core/errors.js';
import { parseFinancialYearList } from '../core/financial-year.js';
import { formatMoney, parseMoney } from '../core/money.js';
import { emptyQuery, parseFlagFilters, queryGrants, resolveThemes, type GrantRow } from '../register/query.js';
import { renderListing, type Column } from '../output/listing.js';

interface Opts {
  fy: string[]; theme: string[]; text?: string; recipient?: string; funder?: string; programme?: string;
  min?: string; max?: string; flag: string[]; includeSuperseded?: boolean; classification?: string[];
}

function amountOption(name: string, v: string | undefined): number | null {
  if (v === undefined) return null;
  const m = parseMoney(v);
  if (!m.ok) throw new UsageError(`${name} "${v}": ${m.reason}`);
  return m.pence;
}

export function amountCell(r: Pick<GrantRow, 'amountPence' | 'amountStatus' | 'basis'>): string {
  if (r.amountPence === null) return r.amountStatus === 'not_held' ? 'not held' : 'unknown';
  return (r.basis === 'maximum' ? 'up to ' : '') + formatMoney(r.amountPence);
}

export async function run(ctx: Ctx, _args: unknown[], opts: Opts): Promise<number> {
  const format = ctx.format();
  const years = parseFinancialYearList(opts.fy);
  const db = await ctx.openRegister('read');
  const q = emptyQuery();
  q.years = years;
  q.themes = resolveThemes(db, opts.theme);
  q.text = opts.text ?? null;
  q.recipient = opts.recipient ?? null;
  q.funder = opts.funder ?? null;
  q.programme = opts.programme ?? null;
  q.minPence = amountOption('--min', opts.min);
  q.maxPence = amountOption('--max', opts.max);
  q.flags = parseFlagFilters(db, opts.flag);
  q.classifications = opts.classification ?? [];
  q.includeSuperseded = !!opts.includeSuperseded;
  const result = queryGrants(db, q);

  const columns: Column<GrantRow>[] = [
    { header: 'FY', value: (r) => r.financialYear ?? r.period ?? '' },
    { header: 'Grant', value: (r) => r.title },
    { header: 'Recipient', value: (r) => r.recipient ?? '' },
    { header: 'Funder', value: (r) => r.stream ?? r.funder ?? '' },
    { header: 'Amount', align: 'right', value: (r) => amountCell(r) + (r.superseded ? ' (superseded)' : '') },
    { header: 'Basis', value: (r) => r.basis },
    { header: 'Source', value: (r) => r.sourceRef ?? '' },
    { header: 'ID', value: (r) => r.id },
  ];
  if (format === 'csv') {
    columns.splice(4, 1, { header: 'Amount (GBP)', align: 'right', value: (r) => (r.amountPence === null ? '' : (r.amountPence / 100).toFixed(2)) },
      { header: 'Amount status', value: (r) => r.amountStatus });
  }
  const notes: string[] = [];
  if (result.count === 0) notes.push('No grants matched.');
  if (result.rowsWithoutAmount) notes.push(`${result.rowsWithoutAmount} row${result.rowsWithoutAmount === 1 ? ' has' : 's have'} no stated amount and add nothing to the total.`);
  ctx.out(renderListing({
    columns,
    rows: result.rows,
    footer: result.count ? ['Total', `${result.count} row${result.count === 1 ? '' : 's'}`, '', '', formatMoney(result.totalPence), '', '', ''] : null,
    notes,
    json: {
      count: result.count,
      totalPence: result.totalPence,
      rows: result.rows.map((r) => ({
        id: r.id, seq: r.seq, title: r.title, recipient: r.recipient, recipientId: r.recipientId, funder: r.funder,
        funderId: r.funderId, financialYear: r.financialYear, period: r.period, amountPence: r.amountPence,
        amountStatus: r.amountStatus, basis: r.basis, stream: r.stream, programme: r.programme, note: r.note,
        superseded: r.superseded, sourceRef: r.sourceRef,
      })),
    },
  }, format));
  return 0;
}
