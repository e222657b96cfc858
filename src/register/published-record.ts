/**
 * A 360Giving grant as its publisher wrote it, rebuilt from the register. The register keeps
 * each published value once: in a column when the column holds it exactly (`title`, an ISO
 * `awardDate`, `amountAwarded` 1500 as 150000 pence), else as published in `asPublished` (keys a
 * column holds in a normalised or repaired form: a date-time award date, `fromOpenCall` "Y",
 * `41133.770000000004`) or `extra` (keys no column holds: `url`, `relatedActivity`, a
 * publisher's own `Grant number`). Organisations are kept per grant as org_snapshot rows, each
 * with the keys its columns do not hold exactly.
 *
 * `columnsRecord` is the one function from columns to 360Giving keys: the importer compares its
 * result with the published record to decide what goes to `asPublished`, and `publishedRecord`
 * uses it to rebuild. So the rebuilt record equals the published one by construction, and the
 * test over every grant of the real files checks it.
 */
import type { Db } from '../db/open.js';
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

/** Organisation keys with a column of their own in org_snapshot (and OrgInput). */
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

// ---------------------------------------------------------------------------------------------
// Reading back.

type Row = Record<string, any>;

const statements = new WeakMap<Db, Map<string, ReturnType<Db['prepare']>>>();

/** A prepared statement, made once per register (an export reads every grant: preparing dominated it). */
function stmt(db: Db, sql: string): ReturnType<Db['prepare']> {
  let m = statements.get(db);
  if (!m) statements.set(db, (m = new Map()));
  let st = m.get(sql);
  if (!st) m.set(sql, (st = db.prepare(sql)));
  return st;
}

/** One org_snapshot row as an OrgInput. */
export function orgOfRow(r: Row): OrgInput {
  return {
    id: r.org_id, name: r.name, charityNumber: r.charity_number, companyNumber: r.company_number, streetAddress: r.street_address,
    locality: r.locality, region: r.region, country: r.country, postcode: r.postcode, url: r.url, organisationType: r.organisation_type,
    published: r.published_json ? JSON.parse(r.published_json) : null,
  };
}

/** A grant's own organisations, as its record published them, in order (recipients first). */
export function grantOrganisations(db: Db, id: string): { role: 'recipient' | 'funder'; seq: number; org: OrgInput }[] {
  const rows = stmt(db, `SELECT 'recipient' AS role, 0 AS seq, s.* FROM grants g JOIN org_snapshot s ON s.id = g.recipient_snapshot_id WHERE g.id = @id
    UNION ALL SELECT 'funder', 0, s.* FROM grants g JOIN org_snapshot s ON s.id = g.funder_snapshot_id WHERE g.id = @id
    UNION ALL SELECT m.role, m.seq, s.* FROM grant_more_organisation m JOIN org_snapshot s ON s.id = m.snapshot_id WHERE m.grant_id = @id
    ORDER BY 1 DESC, 2`).all({ id }) as Row[];
  return rows.map((r) => ({ role: r.role, seq: r.seq, org: orgOfRow(r) }));
}

/**
 * The 360Giving record of a grant exactly as published, rebuilt from the register; null for
 * grants that did not come from a 360Giving file (the register's own records).
 */
export function publishedRecord(db: Db, id: string): Obj | null {
  return publishedParts(db, id)?.record ?? null;
}

/**
 * The published record and what the columns alone give (foi's reading of each value: ISO dates,
 * "Yes"/"No", amounts as numbers), for a grant from a 360Giving file; null otherwise.
 */
export function publishedParts(db: Db, id: string): { record: Obj; columns: Obj } | null {
  const g = stmt(db, 'SELECT * FROM grants WHERE id = ?').get(id) as Row | undefined;
  if (!g || g.published_json === null || g.published_json === undefined) return null;
  const orgs = grantOrganisations(db, id);
  const columns: GrantColumns = {
    id: g.id, title: g.title, description: g.description, currency: g.currency, amountAwardedPence: g.amount_awarded_pence,
    amountAppliedForPence: g.amount_applied_for_pence, amountDisbursedPence: g.amount_disbursed_pence, awardDate: g.award_date,
    plannedStart: g.planned_start, plannedEnd: g.planned_end, plannedDurationMonths: g.planned_duration_months,
    plannedPeriodText: g.planned_period_text, programmeCode: g.programme_code, programmeTitle: g.programme_title,
    fromOpenCall: g.from_open_call, dateModified: g.date_modified, dataSource: g.data_source,
    recipients: orgs.filter((o) => o.role === 'recipient').map((o) => o.org),
    funders: orgs.filter((o) => o.role === 'funder').map((o) => o.org),
    locations: (stmt(db, 'SELECT name, country_code, geo_code, geo_code_type FROM grant_location WHERE grant_id = ? ORDER BY seq').all(id) as Row[])
      .map((l) => ({ name: l.name, countryCode: l.country_code, geoCode: l.geo_code, geoCodeType: l.geo_code_type })),
    classifications: (stmt(db, 'SELECT vocabulary, code, title FROM grant_classification WHERE grant_id = ? ORDER BY seq').all(id) as Row[])
      .map((c) => ({ vocabulary: c.vocabulary, code: c.code, title: c.title })),
  };
  const fromColumns = columnsRecord(columns);
  return { record: rebuildRecord(fromColumns, JSON.parse(g.published_json), g.extra_json ? JSON.parse(g.extra_json) : null), columns: fromColumns };
}

/** What `foi show` adds for a grant from a 360Giving file (null for the register's own records). */
export interface PublishedDetail {
  /** The record exactly as published. */
  record: Obj;
  /** The grant's own organisations, as its record published them. */
  organisations: ({ role: 'recipient' | 'funder' } & Obj)[];
  classifications: ClassificationInput[];
  beneficiaryLocations: LocationInput[];
  /** In the grant's currency. */
  amountAppliedForPence: number | null;
  amountDisbursedPence: number | null;
}

export function publishedDetail(db: Db, id: string): PublishedDetail | null {
  const record = publishedRecord(db, id);
  if (!record) return null;
  const g = db.prepare('SELECT amount_applied_for_pence AS applied, amount_disbursed_pence AS disbursed FROM grants WHERE id = ?').get(id) as Row;
  return {
    record,
    organisations: grantOrganisations(db, id).map((o) => ({ role: o.role, ...orgRecord(o.org) })),
    classifications: (db.prepare('SELECT vocabulary, code, title FROM grant_classification WHERE grant_id = ? ORDER BY seq').all(id) as ClassificationInput[]),
    beneficiaryLocations: (db.prepare('SELECT name, country_code AS countryCode, geo_code AS geoCode, geo_code_type AS geoCodeType FROM grant_location WHERE grant_id = ? ORDER BY seq').all(id) as LocationInput[]),
    amountAppliedForPence: g.applied,
    amountDisbursedPence: g.disbursed,
  };
}
