/**
 * One 360Giving record (an element of a package's `grants`, or a flat row unflattened into the
 * same shape) -> a GrantInput, with issues and normalisation notes.
 *
 * ERRORS (the grant is not yielded): what foi cannot read and needs: no id, title, currency,
 * amountAwarded or awardDate, no funder id and name, no recipient organisation id and name
 * (unless there is a recipientIndividual); wrong JSON types; unparseable or impossible amounts
 * and dates; negative amounts; an amount written in a different currency from the grant's; a
 * currency that is not an ISO 4217 code.
 *
 * QUALITY NOTICES (warnings; the grant is still yielded): an organisation id whose prefix is not
 * a recognised org-id list; a zero amount; an award date after `today`; a planned end before its
 * start; an amount applied for or disbursed that is not an amount (kept as published).
 *
 * Accepted and noted (Normalisation): date-times read as their calendar date in Europe/London,
 * float noise in amounts (`41133.770000000004` -> 4113377 pence), UK dates (`24/01/2019`), Y/N
 * for fromOpenCall, lower-case currency and country codes, `£1,234.50` in flat files. Where the
 * published value breaks the schema the schema check (schema.ts) turns the note into a warning.
 *
 * Nothing is dropped: what the columns do not hold exactly is kept as published in `asPublished`
 * and `extra` (see src/register/published-record.ts).
 */
import { todayInLondon } from '../../core/dates.js';
import { basename } from 'node:path';
import { columnsRecord, splitRecord, ORG_COLUMNS } from '../../register/published-record.js';
import { emptyGrant, type ClassificationInput, type GrantInput, type Issue, type LocationInput, type Normalisation, type OrgInput } from '../../register/types.js';
import { Ctx, describe, isObj, jsonCol, type Obj } from './context.js';
import { applyExtension, restoreExported } from './foi-extension.js';
import {
  EXPECT_AMOUNT, EXPECT_DATE, LAST_AWARD, LAST_END, LAST_MODIFIED, LAST_START, absent, amount, checkOrgId, date, itemPath, list,
  requiredText, text,
} from './fields.js';

export interface MapResult {
  grant: GrantInput | null;
  issues: Issue[];
  notes: Normalisation[];
}

export interface MapOptions {
  /** ISO date used for "award date in the future" (default: today in London). */
  today?: string;
}

/** ISO 4217 codes from the 360Giving schema's currency codelist (1.4.3). */
const CURRENCIES = new Set(
  ('ADP AED AFA AFN ALK ALL AMD ANG AOA AOK AON AOR ARA ARP ARS ARY ATS AUD AWG AYM AZM AZN BAD BAM BBD ' +
    'BDT BEC BEF BEL BGJ BGK BGL BGN BHD BIF BMD BND BOB BOP BOV BRB BRC BRE BRL BRN BRR BSD BTN BUK BWP ' +
    'BYB BYN BYR BZD CAD CDF CHC CHE CHF CHW CLF CLP CNY COP COU CRC CSD CSJ CSK CUC CUP CVE CYP CZK DDM ' +
    'DEM DJF DKK DOP DZD ECS ECV EEK EGP ERN ESA ESB ESP ETB EUR FIM FJD FKP FRF GBP GEK GEL GHC GHP GHS ' +
    'GIP GMD GNE GNF GNS GQE GRD GTQ GWE GWP GYD HKD HNL HRD HRK HTG HUF IDR IEP ILP ILR ILS INR IQD IRR ' +
    'ISJ ISK ITL JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAJ LAK LBP LKR LRD LSL LSM LTL LTT LUC ' +
    'LUF LUL LVL LVR LYD MAD MDL MGA MGF MKD MLF MMK MNT MOP MRO MRU MTL MTP MUR MVQ MVR MWK MXN MXP MXV ' +
    'MYR MZE MZM MZN NAD NGN NIC NIO NLG NOK NPR NZD OMR PAB PEH PEI PEN PES PGK PHP PKR PLN PLZ PTE PYG ' +
    'QAR RHD ROK ROL RON RSD RUB RUR RWF SAR SBD SCR SDD SDG SDP SEK SGD SHP SIT SKK SLL SOS SRD SRG SSP ' +
    'STD STN SUR SVC SYP SZL THB TJR TJS TMM TMT TND TOP TPE TRL TRY TTD TWD TZS UAH UAK UGS UGW UGX USD ' +
    'USN USS UYI UYN UYP UYU UZS VEB VEF VES VNC VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XDR XEU XFO ' +
    'XFU XOF XPD XPF XPT XRE XSU XTS XUA XXX YDD YER YUD YUM YUN ZAL ZAR ZMK ZMW ZRN ZRZ ZWC ZWD ZWL ZWN ZWR').split(' '),
);
/** Symbols parseMoney strips, by currency; an amount may carry its own currency's symbol. */

/** Organisation keys read as text into a column (id and name are required separately). */
const ORG_TEXT_COLUMNS = ORG_COLUMNS.filter(([key]) => key !== 'id' && key !== 'name');
const ORG_KEY_SET = new Set(ORG_COLUMNS.map(([k]) => k));

function orgs(cx: Ctx, items: unknown[], key: string, role: string, requirement: string): OrgInput[] {
  const out: OrgInput[] = [];
  for (let k = 0; k < items.length; k++) {
    const item = items[k];
    const at = k === 0 ? (key === 'recipientOrganization' ? 'recipientOrganization[0]' : 'fundingOrganization[0]') : itemPath(key, k);
    if (!isObj(item)) {
      cx.error(at, `${role} must be an object with id and name, got ${describe(item)}`, item);
      continue;
    }
    const id = requiredText(cx, item.id, at, 'id', `${role} has no identifier; ${requirement}`);
    const name = requiredText(cx, item.name, at, 'name', `${role} has no name; ${requirement}`);
    if (id) checkOrgId(cx, id, at, role);
    const org: OrgInput = { id: id ?? '', name: name ?? '' };
    // A column holds a key only when it holds the published text exactly; the rest (blank
    // strings, keys without a column) stays as published.
    let published: Obj | null = null;
    for (const [k2, field] of ORG_TEXT_COLUMNS) {
      const v = text(cx, item[k2], at, k2);
      (org as unknown as Obj)[field] = v;
    }
    for (const k2 in item) {
      const v = item[k2];
        if (!ORG_KEY_SET.has(k2) || typeof v !== 'string' || absent(v)) (published ??= {})[k2] = v;
    }
    org.published = published;
    if (id && name) out.push(org);
  }
  return out;
}

const PARTIAL_DATE = /^\d{4}(-(0[1-9]|1[0-2]))?$/;

function plannedDate(cx: Ctx, v: unknown, key: 'startDate' | 'endDate', what: string, partial: [string, string][]): string | null {
  if (typeof v === 'string' && v.length <= 9 && PARTIAL_DATE.test(v.trim())) {
    partial.push([key, v]);
    return null;
  }
  return key === 'startDate'
    ? date(cx, v, 'plannedDates[0].startDate', what, LAST_START)
    : date(cx, v, 'plannedDates[0].endDate', what, LAST_END);
}

function mapPlanned(cx: Ctx, g: GrantInput, planned: unknown[]): void {
  const pd = planned[0];
  const at = 'plannedDates[0]';
  if (!isObj(pd)) {
    cx.error(at, `expected an object with startDate, endDate and/or duration, got ${describe(pd)}`, pd);
    return;
  }
  const partial: [string, string][] = [];
  g.plannedStart = plannedDate(cx, pd.startDate, 'startDate', 'planned start date', partial);
  g.plannedEnd = plannedDate(cx, pd.endDate, 'endDate', 'planned end date', partial);
  if (partial.length) {
    // A year or year-month (allowed by the standard) is not a date: keep it as period text.
    g.plannedPeriodText = partial.map(([k, v]) => `${k === 'startDate' ? 'from' : 'to'} ${v.trim()}`).join(' ');
    for (const [k, v] of partial) cx.note(`${at}.${k}`, v, `planned period text "${g.plannedPeriodText}"`);
  }
  if (g.plannedStart && g.plannedEnd && g.plannedEnd < g.plannedStart) {
    cx.warn(`${at}.endDate`, `the planned end date ${g.plannedEnd} is before the planned start date ${g.plannedStart}`, pd.endDate);
  }
  const d = pd.duration;
  if (!absent(d)) {
    const n = typeof d === 'number' ? d : typeof d === 'string' && cx.flat && /^\d+(\.\d+)?$/.test(d) ? Number(d) : NaN;
    if (!Number.isFinite(n) || n < 0) {
      cx.error(`${at}.duration`, 'planned duration must be a number of months (0 or more), e.g. 36', d);
    } else {
      g.plannedDurationMonths = n;
    }
  }
}

function mapLocations(cx: Ctx, g: GrantInput, locs: unknown[]): void {
  for (let k = 0; k < locs.length; k++) {
    const l = locs[k];
    const at = itemPath('beneficiaryLocation', k);
    if (!isObj(l)) {
      cx.error(at, `expected an object with name, countryCode, geoCode, geoCodeType; got ${describe(l)}`, l);
      continue;
    }
    const name = text(cx, l.name, at, 'name');
    let countryCode = text(cx, l.countryCode, at, 'countryCode');
    if (countryCode !== null) {
      const cc = countryCode === 'GB' ? countryCode : countryCode.trim().toUpperCase();
      if (!isCountryCode(cc)) {
        cx.error(`${at}.countryCode`, 'expected a two-letter ISO 3166 country code such as GB', countryCode);
        countryCode = null;
      } else {
        if (cc !== countryCode) cx.note(`${at}.countryCode`, countryCode, cc);
        countryCode = cc;
      }
    }
    const geoCode = text(cx, l.geoCode, at, 'geoCode');
    const geoCodeType = text(cx, l.geoCodeType, at, 'geoCodeType');
    // The standard does not require a name; label a nameless location by its code.
    const label = name ?? geoCode ?? countryCode;
    if (label === null) continue;
    const loc: LocationInput = { name: label, countryCode, geoCode, geoCodeType };
    g.beneficiaryLocations.push(loc);
  }
}

function mapClassifications(cx: Ctx, g: GrantInput, cls: unknown[]): void {
  for (let k = 0; k < cls.length; k++) {
    const c = cls[k];
    const at = itemPath('classifications', k);
    if (!isObj(c)) {
      cx.error(at, `expected an object with vocabulary, code and/or title; got ${describe(c)}`, c);
      continue;
    }
    const ci: ClassificationInput = {
      vocabulary: text(cx, c.vocabulary, at, 'vocabulary'),
      code: text(cx, c.code, at, 'code'),
      title: text(cx, c.title, at, 'title'),
    };
    if (ci.vocabulary !== null || ci.code !== null || ci.title !== null) g.classifications.push(ci);
  }
}

function isCountryCode(s: string): boolean {
  if (s.length !== 2) return false;
  const a = s.charCodeAt(0);
  const b = s.charCodeAt(1);
  return a >= 65 && a <= 90 && b >= 65 && b <= 90;
}

const RULE_ORG_OR_IND = 'the 360Giving standard requires recipientOrganization with id and name (or a recipientIndividual)';
const RULE_ORG = 'the 360Giving standard requires id and name for each recipient organisation';
const RULE_FUNDER = "the 360Giving standard requires the funder's id and name";

// ---------------------------------------------------------------------------------------------
// The mapping.

/** Reads an amount foi does not total (applied for, disbursed): what it cannot read is a notice, and the value stays as published. */
function sideAmount(cx: Ctx, v: unknown, path: string, what: string, currency: string | null): number | null {
  const issuesBefore = cx.issues?.length ?? 0;
  const errorsBefore = cx.errors;
  const pence = amount(cx, v, path, what, currency);
  if (cx.errors > errorsBefore && cx.issues) {
    cx.errors = errorsBefore;
    for (let i = issuesBefore; i < cx.issues.length; i++) {
      const issue = cx.issues[i];
      if (issue.severity === 'error') cx.issues[i] = { ...issue, severity: 'warning', kind: 'quality', message: `${issue.message}; kept as published, not read as an amount` };
    }
  }
  return pence;
}

export function mapGrant(obj: unknown, cx: Ctx, sourceDocument: string): { grant: GrantInput | null; id: string | null } {
  if (!isObj(obj)) {
    cx.error('', `expected a grant object ({"id": ..., "title": ...}), got ${describe(obj)}`, obj);
    return { grant: null, id: null };
  }
  const o = obj;
  const id = requiredText(cx, o.id, '', 'id', 'the grant has no identifier; the 360Giving standard requires a unique id like 360G-<prefix>-<your reference>');
  const title = requiredText(cx, o.title, '', 'title', 'the grant has no title; the 360Giving standard requires one');
  const g = emptyGrant(id ?? '', title ?? '');
  g.sourceDocument = sourceDocument;

  g.description = text(cx, o.description, '', 'description');
  if (g.description === null && absent(o.description)) {
    cx.warn('description', 'the grant has no description; the 360Giving standard requires one (imported without it)', undefined, 'schema');
  }

  // Currency.
  const cur = requiredText(cx, o.currency, '', 'currency', 'the grant has no currency; expected a three-letter ISO 4217 code such as GBP');
  let currency: string | null = null;
  if (cur !== null) {
    const c = cur === 'GBP' ? cur : cur.trim().toUpperCase();
    if (!CURRENCIES.has(c)) {
      cx.error('currency', 'not an ISO 4217 currency code; expected a three-letter code such as GBP', cur);
    } else {
      if (c !== cur) cx.note('currency', cur, c);
      currency = c;
      g.currency = c;
    }
  }

  // Amounts: all three are in the grant's currency.
  const amt = o.amountAwarded;
  if (absent(amt)) cx.error('amountAwarded', `the grant has no amount awarded; ${EXPECT_AMOUNT}`, amt);
  else g.amountAwardedPence = amount(cx, amt, 'amountAwarded', 'amount awarded', currency);
  if (g.amountAwardedPence === 0) {
    cx.warn('amountAwarded', 'the amount awarded is zero; check whether the grant was withdrawn or the amount is missing', amt);
  }
  g.amountAppliedForPence = sideAmount(cx, o.amountAppliedFor, 'amountAppliedFor', 'amount applied for', currency);
  g.amountDisbursedPence = sideAmount(cx, o.amountDisbursed, 'amountDisbursed', 'amount disbursed', currency);

  // Award date.
  if (absent(o.awardDate)) {
    cx.error('awardDate', `the grant has no award date; ${EXPECT_DATE}`, o.awardDate);
  } else {
    g.awardDate = date(cx, o.awardDate, 'awardDate', 'award date', LAST_AWARD);
    if (g.awardDate && g.awardDate > cx.today) {
      cx.warn('awardDate', `the award date ${g.awardDate} is in the future (today is ${cx.today})`, o.awardDate);
    }
  }

  // Planned dates: the first entry in columns; a longer list is kept whole as published.
  const planned = list(cx, o.plannedDates, 'plannedDates');
  if (planned && planned.length) mapPlanned(cx, g, planned);

  // Recipient: organisation(s), or an individual.
  const ind = o.recipientIndividual;
  const hasInd = ind !== undefined && ind !== null;
  let recipients = list(cx, o.recipientOrganization, 'recipientOrganization');
  if (recipients === undefined && !hasInd && o.recipientOrganization == null) recipients = [{}];
  if (recipients && recipients.length === 0) {
    cx.error('recipientOrganization', 'the recipientOrganization list is empty; it needs at least one organisation with id and name', recipients);
  }
  const recOrgs = recipients ? orgs(cx, recipients, 'recipientOrganization', 'recipient organisation', hasInd ? RULE_ORG : RULE_ORG_OR_IND) : [];
  g.recipientOrg = recOrgs.length ? recOrgs[0] : null;
  if (hasInd) {
    if (!isObj(ind)) {
      cx.error('recipientIndividual', `expected an object with id and name, got ${describe(ind)}`, ind);
    } else {
      requiredText(cx, ind.id, 'recipientIndividual', 'id', 'the recipient individual has no identifier; the 360Giving standard requires id and name');
      requiredText(cx, ind.name, 'recipientIndividual', 'name', 'the recipient individual has no name; the 360Giving standard requires id and name (a generic name such as "Individual Recipient" is fine)');
    }
  }

  // Funder.
  let funders = list(cx, o.fundingOrganization, 'fundingOrganization');
  if (funders === undefined && o.fundingOrganization == null) funders = [{}];
  if (funders && funders.length === 0) {
    cx.error('fundingOrganization', "the fundingOrganization list is empty; it needs the funder's id and name", funders);
  }
  const fundOrgs = funders ? orgs(cx, funders, 'fundingOrganization', 'funding organisation', RULE_FUNDER) : [];
  g.fundingOrg = fundOrgs.length ? fundOrgs[0] : null;
  if (recOrgs.length > 1 || fundOrgs.length > 1) g.otherOrgs = [...recOrgs.slice(1), ...fundOrgs.slice(1)];
  g.moreOrgs = { recipients: recOrgs.slice(1), funders: fundOrgs.slice(1) };

  // Grant programme: the first entry in columns; a longer list is kept whole as published.
  const progs = list(cx, o.grantProgramme, 'grantProgramme');
  if (progs && progs.length) {
    const p = progs[0];
    if (!isObj(p)) {
      cx.error(itemPath('grantProgramme', 0), `expected an object with code and/or title, got ${describe(p)}`, p);
    } else {
      g.programmeCode = text(cx, p.code, 'grantProgramme[0]', 'code');
      g.programmeTitle = text(cx, p.title, 'grantProgramme[0]', 'title');
    }
  }

  const locs = list(cx, o.beneficiaryLocation, 'beneficiaryLocation');
  if (locs) mapLocations(cx, g, locs);
  const cls = list(cx, o.classifications, 'classifications');
  if (cls) mapClassifications(cx, g, cls);

  // From an open call: the standard says "Yes"/"No"; Y/N, yes/no and booleans are read and noted.
  const foc = o.fromOpenCall;
  if (!absent(foc)) {
    if (foc === 'Yes') g.fromOpenCall = 'y';
    else if (foc === 'No') g.fromOpenCall = 'n';
    else {
      const t = typeof foc === 'string' ? foc.trim().toLowerCase() : typeof foc === 'boolean' ? String(foc) : '';
      const yn = t === 'y' || t === 'yes' || t === 'true' ? 'y' : t === 'n' || t === 'no' || t === 'false' ? 'n' : null;
      if (yn) {
        g.fromOpenCall = yn;
        cx.note('fromOpenCall', String(foc), yn === 'y' ? 'Yes' : 'No');
      } else {
        cx.error('fromOpenCall', 'expected Yes or No', foc);
      }
    }
  }

  g.dateModified = date(cx, o.dateModified, 'dateModified', 'last modified date', LAST_MODIFIED);
  g.dataSource = text(cx, o.dataSource, '', 'dataSource');

  // A record `foi export` wrote for one of the register's own grants: its money lines and the rest.
  applyExtension(o, g, cx);

  if (cx.errors) return { grant: null, id };
  // Everything the columns do not hold exactly, as published.
  const { asPublished, extra } = splitRecord(o, columnsRecord(columnsOf(g)));
  g.extra = extra;
  g.asPublished = asPublished;
  return { grant: g, id };
}

/** The columns a mapped 360Giving grant fills, for published-record.ts. */
export function columnsOf(g: GrantInput) {
  return {
    id: g.id, title: g.title, description: g.description, currency: g.currency, amountAwardedPence: g.amountAwardedPence,
    amountAppliedForPence: g.amountAppliedForPence ?? null, amountDisbursedPence: g.amountDisbursedPence ?? null,
    awardDate: g.awardDate, plannedStart: g.plannedStart, plannedEnd: g.plannedEnd, plannedDurationMonths: g.plannedDurationMonths,
    plannedPeriodText: g.plannedPeriodText ?? null, programmeCode: g.programmeCode, programmeTitle: g.programmeTitle,
    fromOpenCall: g.fromOpenCall, dateModified: g.dateModified, dataSource: g.dataSource,
    recipients: g.recipientOrg ? [g.recipientOrg, ...(g.moreOrgs?.recipients ?? [])] : [],
    funders: g.fundingOrg ? [g.fundingOrg, ...(g.moreOrgs?.funders ?? [])] : [],
    locations: g.beneficiaryLocations, classifications: g.classifications,
  };
}

/**
 * Maps one 360Giving grant (an element of a package's `grants` array) to a GrantInput.
 * `grant` is null when there is any error. Locations are `grants[3]`; columns are JSON paths
 * such as `awardDate` or `recipientOrganization[0].id`. (No schema check: see schema.ts.)
 */
export function grantFrom360Json(obj: unknown, ctx: { file: string; index: number } & MapOptions): MapResult {
  const cx = new Ctx(ctx.file, `grants[${ctx.index}]`, jsonCol, false, ctx.today ?? todayInLondon());
  const { grant } = mapGrant(restoreExported(obj), cx, basename(ctx.file));
  return { grant, issues: cx.issues ?? [], notes: cx.notes ?? [] };
}
