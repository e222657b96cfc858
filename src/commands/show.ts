import type { Ctx } from '../context.js';
import { formatMoney } from '../core/money.js';
import { grantDetail } from '../register/grant-detail.js';
import { renderListing } from '../output/listing.js';

export async function run(ctx: Ctx, args: unknown[]): Promise<number> {
  const db = await ctx.openRegister('read');
  const d = grantDetail(db, String(args[0]));
  const format = ctx.format();
  if (format === 'json') {
    ctx.out(JSON.stringify(d, null, 2) + '\n');
    return 0;
  }
  const money = (p: number | null, status = 'value') => (p === null ? (status === 'not_held' ? 'not held' : 'not stated') : formatMoney(p));
  const fields: [string, string][] = [
    ['Grant', `${d.title} (${d.id})`],
    ['Amount awarded', money(d.amountAwardedPence)],
    ['Award date', d.awardDate ?? 'not stated'],
    ['Planned', d.plannedStart || d.plannedEnd ? `${d.plannedStart ?? '?'} to ${d.plannedEnd ?? '?'}` : d.plannedPeriod ?? 'not stated'],
    ['Programme', d.programme ?? 'not stated'],
    ['Funder', d.funder ? `${d.funder.name} (${d.funder.id})` : 'not stated'],
    ['Recipient', d.recipient ? `${d.recipient.name} (${d.recipient.id})${d.recipient.members ? `: ${d.recipient.members}` : ''}` : 'not stated'],
    ['Source', d.source ? `${d.source.ref}${d.source.title ? `: ${d.source.title}` : ''}${d.source.document ? ` [${d.source.document}]` : ''}` : 'not stated'],
    ['Description', d.description ?? 'not stated'],
    ['Services', d.services ?? 'not stated'],
    ...d.partners.map((p): [string, string] => ['Partner', p.role ? `${p.name} (${p.role})` : p.name]),
    ...(d.locations.length ? [['Operating in', d.locations.join(', ')] as [string, string]] : []),
    ...d.themes.map((t): [string, string] => [`Theme ${t.theme}`, t.outcome ?? '(no outcome stated)']),
    ...d.flags.map((f): [string, string] => [`Flag ${f.flag}`, `${f.value.toUpperCase()}${f.evidence ? ` ("${f.evidence}")` : ''}`]),
    ...d.allocations.map((a): [string, string] => [`Line ${a.seq}`, `${a.financialYear ?? (a.period ? `${a.period}${a.multiYear ? ' (not split by year)' : ''}` : 'no year')} ${a.basis} ${a.basis === 'maximum' ? 'up to ' : ''}${money(a.amountPence, a.amountStatus)}${a.recipient ? ` to ${a.recipient}` : ''}${a.stream ? ` [${a.stream}]` : a.funder ? ` from ${a.funder}` : ''}${a.superseded ? ' (superseded)' : ''}${a.footnote ? `; footnote in letters: ${a.footnote}` : ''}${a.note ? `; officers' note: ${a.note}` : ''}`]),
    ...d.variations.map((v): [string, string] => [`Variation ${v.seq}`, `${v.date ?? v.when ?? ''}: ${v.description}${v.changePence !== null ? `; change ${money(v.changePence)}` : ''}${v.newTotalPence !== null ? `; new total ${money(v.newTotalPence)}` : ''}`]),
    ...d.figures.map((f): [string, string] => [`${f.label}${f.financialYear ? ` ${f.financialYear}` : ''}`, f.status === 'value' ? String(f.value) : `${f.status.replace('_', ' ')}${f.wording ? `: ${f.wording}` : ''}`]),
  ];
  ctx.out(renderListing({ columns: [{ header: 'Field', value: (r) => r[0] }, { header: 'Value', value: (r) => r[1] }], rows: fields, json: d }, format));
  return 0;
}
