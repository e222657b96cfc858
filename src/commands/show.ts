import type { Ctx } from '../context.js';
import { formatMoney } from '../core/money.js';
import { grantDetail } from '../register/grant-detail.js';
import { describeBy, describeChange, grantHistory } from '../register/history.js';
import { formatLondonTime } from '../core/instants.js';
import { renderListing } from '../output/listing.js';
import type { PublishedDetail } from '../register/published-record.js';

/** Keys publishedLines shows by name; any other key of the record is shown as "Published <key>". */
const SHOWN = new Set(['id', 'title', 'description', 'currency', 'amountAwarded', 'amountAppliedFor', 'amountDisbursed', 'awardDate',
  'plannedDates', 'grantProgramme', 'fromOpenCall', 'recipientOrganization', 'fundingOrganization', 'beneficiaryLocation',
  'classifications', 'dataSource', 'dateModified']);

/** What a 360Giving record says beyond the register's columns: every published field is shown. */
function publishedLines(p: PublishedDetail, money: (pence: number | null) => string): [string, string][] {
  const r = p.record;
  const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  const lines: [string, string][] = [];
  if (p.amountAppliedForPence !== null) lines.push(['Amount applied for', money(p.amountAppliedForPence)]);
  if (p.amountDisbursedPence !== null) lines.push(['Amount disbursed', money(p.amountDisbursedPence)]);
  for (const o of p.organisations) {
    const { role, id, name, ...rest } = o;
    const details = Object.entries(rest).map(([k, v]) => `${k}: ${text(v)}`);
    lines.push([`${role === 'recipient' ? 'Recipient' : 'Funder'} as published`, [`${text(name)} (${text(id)})`, ...details].join('; ')]);
  }
  for (const l of p.beneficiaryLocations) {
    const codes = [l.countryCode, l.geoCode && `${l.geoCode}${l.geoCodeType ? ` (${l.geoCodeType})` : ''}`].filter(Boolean).join(', ');
    lines.push(['Beneficiary location', codes ? `${l.name}: ${codes}` : l.name]);
  }
  for (const c of p.classifications) {
    lines.push(['Classification', [c.title, c.code && `code ${c.code}`, c.vocabulary && `vocabulary ${c.vocabulary}`].filter(Boolean).join('; ')]);
  }
  const pd = Array.isArray(r.plannedDates) ? (r.plannedDates as Record<string, unknown>[]) : [];
  pd.forEach((x, i) => lines.push([`Planned dates${pd.length > 1 ? ` ${i + 1}` : ''}`, Object.entries(x).map(([k, v]) => `${k}: ${text(v)}`).join('; ')]));
  const gp = Array.isArray(r.grantProgramme) ? (r.grantProgramme as Record<string, unknown>[]) : [];
  gp.forEach((x, i) => lines.push([`Grant programme${gp.length > 1 ? ` ${i + 1}` : ''}`, Object.entries(x).map(([k, v]) => `${k}: ${text(v)}`).join('; ')]));
  for (const k of ['fromOpenCall', 'dataSource', 'dateModified']) if (r[k] !== undefined) lines.push([`Published ${k}`, text(r[k])]);
  for (const [k, v] of Object.entries(r)) if (!SHOWN.has(k)) lines.push([`Published ${k}`, text(v)]);
  return lines;
}

export async function run(ctx: Ctx, args: unknown[], opts: { asAt?: string } = {}): Promise<number> {
  const db = await ctx.openRegister('read', { asAt: opts.asAt });
  const d = grantDetail(db, String(args[0]), ctx.registerPath() ?? 'the embedded MOPAC register');
  // The embedded sample register is built from data/mopac-register.yaml when foi is built: its
  // "added" time would be the build's, not anything an officer did, so it is not shown.
  const embedded = ctx.registerPath() === null;
  const history = embedded ? [] : grantHistory(db, d.id) ?? [];
  const format = ctx.format();
  if (format === 'json') {
    ctx.out(JSON.stringify({ ...d, history }, null, 2) + '\n');
    return 0;
  }
  const money = (p: number | null, status = 'value') => (p === null ? (status === 'not_held' ? 'not held' : 'not stated') : formatMoney(p, { currency: d.currency }));
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
    ...(d.published ? publishedLines(d.published, money) : []),
    ...(d.withdrawnAt ? [['Withdrawn', `${formatLondonTime(d.withdrawnAt)}: no longer in its source; left out of listings and letters`] as [string, string]] : []),
    ...(embedded ? [['Added', 'from data/mopac-register.yaml, in the embedded sample register (which keeps no history: for dates and changes use a register file, foi init --db PATH --sample)'] as [string, string]] : []),
    // When it was added and each change since: "changed on …" lines.
    ...history.map((h): [string, string] => [
      h.action === 'added' ? 'Added' : h.action === 'changed' ? 'Changed' : h.action === 'withdrawn' ? 'Withdrawn' : 'Restored',
      `${h.at ? `on ${formatLondonTime(h.at)}` : 'before history was kept'}${h.by ? ` by ${describeBy(h.by)}` : ''}${h.fields.length && h.action !== 'withdrawn' ? `: ${h.fields.map((f) => describeChange(f, (p) => formatMoney(p, { currency: d.currency }))).join('; ')}` : ''}`,
    ]),
  ];
  ctx.out(renderListing({ columns: [{ header: 'Field', value: (r) => r[0] }, { header: 'Value', value: (r) => r[1] }], rows: fields, json: d }, format));
  return 0;
}
