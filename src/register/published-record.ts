/**
 * A 360Giving grant as its publisher wrote it, rebuilt from the register. The register keeps
 * each published value once: in a column when the column holds it exactly (`title`, an ISO
 * `awardDate`, `amountAwarded` 1500 as 150000 pence), else as published in `asPublished` (keys a
 * column holds in a normalised or repaired form: a date-time award date, `fromOpenCall` "Y",
 * `41133.770000000004`) or `extra` (keys no column holds: `url`, `relatedActivity`, a
 * publisher's own `Grant number`). Organisations are kept per grant in grant_organisation, each
 * with the keys its columns do not hold exactly.
 *
 * `columnsRecord` is the one function from columns to 360Giving keys: the importer compares its
 * result with the published record to decide what goes to `asPublished`, and `publishedRecord`
 * uses it to rebuild. So the rebuilt record equals the published one by construction, and the
 * test over every grant of the real files checks it.
 */
import type { ClassificationInput, LocationInput, OrgInput } from './types.js';

/** What the register's columns hold for one 360Giving grant. */
export interface GrantColumns {
  id: string;
  title: string;
  description: string | null;
  currency: string;
  amountAwardedPence: number | null;
  amountAppliedForPence: number | null;
  amountDisbursedPence: number | null;
  awardDate: string | null;
  plannedStart: string | null;
  plannedEnd: string | null;
  plannedDurationMonths: number | null;
  plannedPeriodText: string | null;
  programmeCode: string | null;
  programmeTitle: string | null;
  fromOpenCall: 'y' | 'n' | null;
  dateModified: string | null;
  dataSource: string | null;
  recipients: OrgInput[];
  funders: OrgInput[];
  locations: LocationInput[];
  classifications: ClassificationInput[];
}

type Obj = Record<string, unknown>;

/** The 360Giving keys a column holds (in some form); every other key of a record is `extra`. */
export const COLUMN_KEYS = new Set([
  'id', 'title', 'description', 'currency', 'amountAwarded', 'amountAppliedFor', 'amountDisbursed', 'awardDate',
  'plannedDates', 'grantProgramme', 'fromOpenCall', 'dateModified', 'dataSource', 'recipientOrganization',
  'fundingOrganization', 'beneficiaryLocation', 'classifications',
]);

/** Organisation keys with a column of their own in grant_organisation (and OrgInput). */
export const ORG_COLUMNS: readonly [key: string, field: keyof OrgInput][] = [
  ['id', 'id'], ['name', 'name'], ['charityNumber', 'charityNumber'], ['companyNumber', 'companyNumber'],
  ['streetAddress', 'streetAddress'], ['addressLocality', 'locality'], ['addressRegion', 'region'],
  ['addressCountry', 'country'], ['postalCode', 'postcode'], ['url', 'url'], ['organisationType', 'organisationType'],
];

/** An organisation object as published: its columns, then what it kept as published. */
export function orgRecord(o: OrgInput): Obj {
  const out: Obj = {};
  for (const [key, field] of ORG_COLUMNS) {
    const v = o[field];
    if (v !== null && v !== undefined) out[key] = v;
  }
  if (o.published) Object.assign(out, o.published);
  return out;
}

const amount = (pence: number | null): number | undefined => (pence === null ? undefined : pence / 100);

function put(out: Obj, key: string, v: unknown): void {
  if (v !== null && v !== undefined) out[key] = v;
}

function compact(o: Obj): Obj | null {
  for (const k in o) if (o[k] !== undefined) return o;
  return null;
}

/** The 360Giving keys the columns give, in the standard's own form. */
export function columnsRecord(c: GrantColumns): Obj {
  const out: Obj = { id: c.id, title: c.title, currency: c.currency };
  put(out, 'description', c.description);
  put(out, 'amountAwarded', amount(c.amountAwardedPence));
  put(out, 'amountAppliedFor', amount(c.amountAppliedForPence));
  put(out, 'amountDisbursed', amount(c.amountDisbursedPence));
  put(out, 'awardDate', c.awardDate);
  if (c.plannedPeriodText === null) {
    const pd: Obj = {};
    put(pd, 'startDate', c.plannedStart);
    put(pd, 'endDate', c.plannedEnd);
    put(pd, 'duration', c.plannedDurationMonths);
    if (compact(pd)) out.plannedDates = [pd];
  }
  const prog: Obj = {};
  put(prog, 'code', c.programmeCode);
  put(prog, 'title', c.programmeTitle);
  if (compact(prog)) out.grantProgramme = [prog];
  if (c.fromOpenCall) out.fromOpenCall = c.fromOpenCall === 'y' ? 'Yes' : 'No';
  put(out, 'dateModified', c.dateModified);
  put(out, 'dataSource', c.dataSource);
  if (c.recipients.length) out.recipientOrganization = c.recipients.map(orgRecord);
  if (c.funders.length) out.fundingOrganization = c.funders.map(orgRecord);
  if (c.locations.length) {
    out.beneficiaryLocation = c.locations.map((l) => {
      const o: Obj = { name: l.name };
      put(o, 'countryCode', l.countryCode);
      put(o, 'geoCode', l.geoCode);
      put(o, 'geoCodeType', l.geoCodeType);
      return o;
    });
  }
  if (c.classifications.length) {
    out.classifications = c.classifications.map((x) => {
      const o: Obj = {};
      put(o, 'vocabulary', x.vocabulary);
      put(o, 'code', x.code);
      put(o, 'title', x.title);
      return o;
    });
  }
  return out;
}

/**
 * Splits a published record against what the columns give: `asPublished` holds the published
 * value of each column key whose columns give something else (or nothing), `extra` every key
 * no column holds. `absent` lists column keys the columns give but the record lacks (none in
 * practice: kept so a rebuild can never invent a key).
 */
export function splitRecord(record: Obj, fromColumns: Obj): { asPublished: Obj; extra: Obj } {
  const asPublished: Obj = {};
  const extra: Obj = {};
  for (const k in record) {
    if (!COLUMN_KEYS.has(k)) extra[k] = record[k];
    else if (!sameJson(record[k], fromColumns[k])) asPublished[k] = record[k];
  }
  const absent: string[] = [];
  for (const k in fromColumns) if (!(k in record)) absent.push(k);
  if (absent.length) asPublished[ABSENT] = absent;
  return { asPublished, extra };
}

/** Key in `asPublished` listing column keys the published record did not have. */
const ABSENT = '$absent';

/** The published record: what the columns give, overridden by what was kept as published. */
export function rebuildRecord(fromColumns: Obj, asPublished: Obj, extra: Obj | null): Obj {
  const out: Obj = { ...fromColumns, ...asPublished, ...(extra ?? {}) };
  const absent = asPublished[ABSENT];
  delete out[ABSENT];
  if (Array.isArray(absent)) for (const k of absent) delete out[k as string];
  return out;
}

/** Deep equality of JSON values (key order ignored; -0 and 0 alike, as JSON writes them). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Obj;
  const bo = b as Obj;
  let n = 0;
  for (const k in ao) {
    if (!(k in bo) || !sameJson(ao[k], bo[k])) return false;
    n++;
  }
  for (const _ in bo) n--;
  return n === 0;
}
