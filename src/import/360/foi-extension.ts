/**
 * Reading back what `foi export 360giving` wrote in a record's `foi` extension (format
 * foi-360/1, src/export/extension.ts), so an export imported into an empty register gives the
 * same grants:
 *
 * - `restoreExported`: a record the export changed to meet the schema becomes the record as first
 *   published again (`foi.asPublished`), before it is mapped and checked. In a flat file (CSV,
 *   XLSX) the extension is JSON text in a column titled `foi`.
 * - `applyExtension`: the register's own grants: money lines, variations, partners, themes,
 *   flags, figures, services, source and planned period in words go onto the GrantInput, with the
 *   definitions they refer to; the standard fields the export filled in (`foi.derived`) are left
 *   unstated again, as the register had them.
 *
 * A record without the extension (any other publisher's) is untouched. An extension that is not
 * what the export writes is an error located in it (`foi.moneyLines[2].basis`).
 */
import { parseMoney } from '../../core/money.js';
import { parseDate } from '../../core/dates.js';
import { tryParseFinancialYear } from '../../core/financial-year.js';
import { PERIOD_PRECISIONS, type Period, type PeriodPrecision } from '../../core/period.js';
import { ALLOCATION_BASES, type AllocationBasis, type FigureStatus, type GrantInput, type OrgInput } from '../../register/types.js';
import { DERIVABLE, FOI_FORMAT, FOI_KEY, type FoiExtension } from '../../export/extension.js';
import { beforeExport } from '../../export/valid-form.js';
import { type Ctx, describe, isObj, type Obj } from './context.js';

/** The extension of a record, parsed (flat files hold it as JSON text), or null when it has none. */
function extensionOf(rec: Obj): FoiExtension | null {
  let ext = rec[FOI_KEY];
  if (typeof ext === 'string') {
    if (!ext.trimStart().startsWith('{')) return null;
    try {
      ext = JSON.parse(ext);
    } catch {
      return null;
    }
  }
  return isObj(ext) && ext.format === FOI_FORMAT ? (ext as unknown as FoiExtension) : null;
}

/** The record as first published when the export changed it; the extension as an object. Any other value is returned as it is. */
export function restoreExported(value: unknown): unknown {
  if (!isObj(value)) return value;
  const ext = extensionOf(value);
  if (!ext) return value;
  if (ext.asPublished) return beforeExport(value, ext);
  return typeof value[FOI_KEY] === 'string' ? { ...value, [FOI_KEY]: ext } : value;
}

/** Typed readers for the extension's values; each problem is an error at its path. */
class Ext {
  constructor(private readonly cx: Ctx) {}

  list(o: Obj, key: string, at: string): [Obj, string][] {
    const v = o[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.cx.error(`${at}.${key}`, `expected a list, got ${describe(v)}`, v);
      return [];
    }
    const out: [Obj, string][] = [];
    v.forEach((item, i) => {
      const p = `${at}.${key}[${i}]`;
      if (isObj(item)) out.push([item, p]);
      else this.cx.error(p, `expected an object, got ${describe(item)}`, item);
    });
    return out;
  }

  text(o: Obj, key: string, at: string, required = false): string | null {
    const v = o[key];
    if (v === undefined || v === null || v === '') {
      if (required) this.cx.error(`${at}.${key}`, `"${key}" is required in the foi extension`, v);
      return null;
    }
    if (typeof v === 'string') return v;
    this.cx.error(`${at}.${key}`, `expected text, got ${describe(v)}`, v);
    return null;
  }

  int(o: Obj, key: string, at: string): number | null {
    const v = o[key];
    if (v === undefined || v === null) return null;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
    this.cx.error(`${at}.${key}`, `expected a whole number, got ${describe(v)}`, v);
    return null;
  }

  money(o: Obj, key: string, at: string): number | null {
    const v = o[key];
    if (v === undefined || v === null) return null;
    const m = typeof v === 'number' ? parseMoney(v, { allowNegative: true }) : null;
    if (m?.ok) return m.pence;
    this.cx.error(`${at}.${key}`, `expected an amount as a number (1234.5), got ${describe(v)}`, v);
    return null;
  }

  fy(o: Obj, key: string, at: string): number | null {
    const t = this.text(o, key, at);
    if (t === null) return null;
    const fy = tryParseFinancialYear(t);
    if (!fy) this.cx.error(`${at}.${key}`, 'not a UK financial year; expected e.g. 2017-18', t);
    return fy?.start ?? null;
  }

  date(o: Obj, key: string, at: string): string | null {
    const t = this.text(o, key, at);
    if (t === null) return null;
    const d = parseDate(t);
    if (!d.ok) this.cx.error(`${at}.${key}`, d.reason, t);
    return d.ok ? d.date : null;
  }

  oneOf<T extends string>(o: Obj, key: string, at: string, allowed: readonly T[], required = true): T | null {
    const t = this.text(o, key, at, required);
    if (t === null) return null;
    if ((allowed as readonly string[]).includes(t)) return t as T;
    this.cx.error(`${at}.${key}`, `expected one of ${allowed.join(', ')}`, t);
    return null;
  }
}

const STATUS: Record<string, 'value' | 'unknown' | 'not_held'> = { value: 'value', unknown: 'unknown', 'not held': 'not_held' };
const FIGURE_STATUS: Record<string, FigureStatus> = { value: 'value', 'not applicable': 'not_applicable', 'not held': 'not_held', unknown: 'unknown' };

/** Puts a register grant's extension onto the mapped grant. No-op for a record without one. */
export function applyExtension(rec: Obj, g: GrantInput, cx: Ctx): void {
  const ext = extensionOf(rec);
  if (!ext) return;
  const x = new Ext(cx);
  const e = ext as unknown as Obj;
  const at = FOI_KEY;
  g.sourceRef = x.text(e, 'source', at);
  g.services = x.text(e, 'services', at);
  const planned = x.text(e, 'plannedPeriod', at);
  if (planned !== null) g.plannedPeriodText = planned;

  for (const [l, p] of x.list(e, 'moneyLines', at)) {
    const basis = x.oneOf(l, 'basis', p, ALLOCATION_BASES);
    const status = x.oneOf(l, 'amountStatus', p, ['value', 'unknown', 'not held'] as const);
    const amount = x.money(l, 'amount', p);
    if (status === 'value' && amount === null) cx.error(`${p}.amount`, 'a line whose amountStatus is "value" needs an amount', l.amount);
    if (status !== 'value' && amount !== null) cx.error(`${p}.amount`, `a line whose amount is ${status} has no amount`, l.amount);
    let period: Period | null = null;
    let periodText: string | null = null;
    if (l.period !== undefined && l.period !== null) {
      const q = `${p}.period`;
      if (!isObj(l.period)) cx.error(q, `expected { start, end, precision }, got ${describe(l.period)}`, l.period);
      else {
        const start = x.date(l.period, 'start', q);
        const end = x.date(l.period, 'end', q);
        const precision = x.oneOf(l.period, 'precision', q, PERIOD_PRECISIONS);
        if (start && end && precision) period = { start, end, precision: precision as PeriodPrecision };
        periodText = x.text(l.period, 'text', q);
      }
    }
    const line = x.int(l, 'line', p);
    if (line !== null && line !== g.allocations.length + 1) cx.error(`${p}.line`, `money lines are numbered 1, 2, 3… in order; expected ${g.allocations.length + 1}`, line);
    g.allocations.push({
      financialYear: period ? null : x.fy(l, 'financialYear', p),
      period, periodText,
      recipientOrgId: x.text(l, 'recipient', p), funderOrgId: x.text(l, 'funder', p), stream: x.text(l, 'stream', p),
      basis: (basis ?? 'award') as AllocationBasis, amountPence: status === 'value' ? amount : null, amountStatus: STATUS[status ?? 'value'],
      supersedes: x.int(l, 'supersedes', p), note: x.text(l, 'note', p), footnote: x.text(l, 'footnote', p), sourceRef: x.text(l, 'source', p),
    });
  }
  for (const [v, p] of x.list(e, 'variations', at)) {
    const description = x.text(v, 'description', p, true);
    if (description) {
      g.variations.push({ date: x.date(v, 'date', p), whenText: x.text(v, 'when', p), description, changePence: x.money(v, 'change', p), newTotalPence: x.money(v, 'newTotal', p), sourceRef: x.text(v, 'source', p) });
    }
  }
  for (const [v, p] of x.list(e, 'partners', at)) {
    const org = x.text(v, 'org', p, true);
    if (org) g.partners.push({ orgId: org, role: x.text(v, 'role', p) });
  }
  const defs: NonNullable<GrantInput['definitions']> = { sources: [], themes: [], flags: [], measures: [], organisations: [] };
  for (const [t, p] of x.list(e, 'themes', at)) {
    const theme = x.text(t, 'theme', p, true);
    if (!theme) continue;
    g.themes.push({ theme, outcome: x.text(t, 'outcome', p), sourceRef: x.text(t, 'source', p) });
    defs.themes.push({ name: theme, label: x.text(t, 'label', p) ?? theme });
  }
  for (const [f, p] of x.list(e, 'flags', at)) {
    const name = x.text(f, 'flag', p, true);
    const value = x.oneOf(f, 'value', p, ['y', 'n', 'unknown'] as const);
    const question = x.text(f, 'question', p, true);
    if (!name || !value) continue;
    g.flags.push({ name, value, evidence: x.text(f, 'evidence', p), sourceRef: x.text(f, 'source', p) });
    if (question) defs.flags.push({ name, question });
  }
  for (const [f, p] of x.list(e, 'figures', at)) {
    const measure = x.text(f, 'measure', p, true);
    const status = x.oneOf(f, 'status', p, ['value', 'not applicable', 'not held', 'unknown'] as const);
    if (!measure || !status) continue;
    const valueNumber = x.int(f, 'value', p);
    const valueText = x.text(f, 'text', p);
    if (status === 'value' && valueNumber === null && valueText === null) cx.error(p, 'a figure whose status is "value" needs a value or a text', f);
    g.figures.push({ measure, financialYear: x.fy(f, 'financialYear', p), status: FIGURE_STATUS[status], valueNumber, valueText, wording: x.text(f, 'wording', p), sourceRef: x.text(f, 'source', p) });
    defs.measures.push({ name: measure, label: x.text(f, 'label', p) ?? measure });
  }
  for (const [s, p] of x.list(e, 'sources', at)) {
    const ref = x.text(s, 'ref', p, true);
    if (ref) defs.sources.push({ ref, kind: x.text(s, 'kind', p) ?? 'decision', title: x.text(s, 'title', p), date: x.date(s, 'date', p), url: x.text(s, 'url', p), document: x.text(s, 'document', p) });
  }
  for (const [o, p] of x.list(e, 'organisations', at)) {
    const id = x.text(o, 'id', p, true);
    const name = x.text(o, 'name', p, true);
    if (!id || !name) continue;
    const org: OrgInput = { id, name, charityNumber: x.text(o, 'charityNumber', p), companyNumber: x.text(o, 'companyNumber', p), locality: x.text(o, 'locality', p), postcode: x.text(o, 'postcode', p), members: x.text(o, 'members', p) };
    defs.organisations.push(org);
  }
  g.definitions = defs;

  // The standard fields the export filled in: unstated again, as the register had them.
  const derived = isObj(e.derived) ? e.derived : {};
  for (const key of Object.keys(derived)) {
    if (!(DERIVABLE as readonly string[]).includes(key)) cx.error(`${at}.derived.${key}`, `"${key}" is not a field the export fills in (${DERIVABLE.join(', ')})`, derived[key]);
  }
  if ('amountAwarded' in derived) g.amountAwardedPence = null;
  if ('awardDate' in derived) g.awardDate = null;
  if ('description' in derived) g.description = null;
  if ('recipientOrganization' in derived) {
    g.recipientOrg = null;
    if (g.moreOrgs) g.moreOrgs.recipients = [];
  }
  if ('fundingOrganization' in derived) {
    g.fundingOrg = null;
    if (g.moreOrgs) g.moreOrgs.funders = [];
  }
  g.otherOrgs = g.moreOrgs ? [...g.moreOrgs.recipients, ...g.moreOrgs.funders] : [];
}
