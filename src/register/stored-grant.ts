/**
 * A grant as the register stores it: the values of its `grants` row and of its rows in the other
 * grant tables, ready to bind, with the content hash that tells a re-import whether anything
 * changed. `toStored` makes one from a GrantInput; for a 360Giving file it runs in the import's
 * reading thread (src/import/read-worker.ts), so the writing thread only binds values.
 *
 * Plain values and arrays only (no classes, no undefined): a StoredGrant crosses from the reading
 * thread to the writing thread by structured clone, and arrays clone several times faster than
 * objects with named keys.
 */
import { createHash, hash } from 'node:crypto';
import { financialYearOfDate } from '../core/financial-year.js';
import { fyPeriod, periodFinancialYears, tryParsePeriod, type Period } from '../core/period.js';
import { orgRecord } from './published-record.js';
import type { AllocationInput, GrantInput, OrgInput } from './types.js';

export type Cell = string | number | null;

/** The `grants` columns a StoredGrant's `row` holds, in order (the writer adds the bookkeeping after them). */
export const GRANT_COLUMNS = [
  'id', 'title', 'description', 'currency', 'amount_awarded_pence', 'award_date', 'planned_start', 'planned_end',
  'planned_duration_months', 'planned_period_text', 'programme_code', 'programme_title', 'funding_org_id', 'recipient_org_id',
  'from_open_call', 'date_modified', 'services', 'data_source', 'source_ref', 'source_document', 'extra_json',
  'amount_applied_for_pence', 'amount_disbursed_pence', 'published_json',
] as const;
const SOURCE_DOCUMENT = GRANT_COLUMNS.indexOf('source_document');

/** Columns of a money line after grant_id and seq (and grant_rowid, which the writer knows). */
export const LINE_COLUMNS = [
  'financial_year', 'period_text', 'recipient_org_id', 'funder_org_id', 'stream', 'basis', 'amount_pence', 'amount_status',
  'supersedes_seq', 'superseded', 'note', 'source_ref', 'period_start', 'period_end', 'period_precision', 'fy_from', 'fy_to', 'footnote',
] as const;

export interface StoredGrant {
  id: string;
  /** Values of GRANT_COLUMNS. */
  row: Cell[];
  /** Hash of everything stored for the grant but its provenance (file and position). */
  hash: string;
  /** Position of the record in its file (0-based), for `order: register`. */
  position: number | null;
  /** Where the record is (`row 12`, `grants[3]`), for messages. */
  location: string;
  /** Organisations for the shared `organisation` view, in order; null: none to write. */
  orgs: OrgInput[] | null;
  /** 360Giving records: snapshot keys of the recipients, then of the funders (the first of each goes on the grants row). */
  snapshots: { recipients: string[]; funders: string[] } | null;
  /** Snapshots the writer may not have yet, by key (each sent at least once before or with its first use). */
  newSnapshots: [key: string, org: OrgInput][] | null;
  /** [name, country_code, geo_code, geo_code_type] */
  locations: Cell[][] | null;
  /** [vocabulary, code, title] */
  classifications: Cell[][] | null;
  /** Money lines (LINE_COLUMNS), numbered from 1 in order; null: the one `award` line the writer derives in SQL from the amount and award date. */
  lines: Cell[][] | null;
  /** [date, when_text, description, change_pence, new_total_pence, source_ref] */
  variations: Cell[][] | null;
  /** [org_id, role] */
  partners: Cell[][] | null;
  /** [theme, outcome, source_ref] */
  themes: Cell[][] | null;
  /** [flag, value, evidence, source_ref] */
  flags: Cell[][] | null;
  /** [measure, financial_year, status, value_number, value_text, wording, source_ref] */
  figures: Cell[][] | null;
  /** The full-text row's [description, outcomes] when the grant has outcomes; null: made in SQL from title, description and services. */
  fts: [description: string | null, outcomes: string] | null;
}

/** The organisation's details as the shared `organisation` view holds them: equal keys, nothing to write. */
export function orgViewKey(o: OrgInput): string {
  return `${o.name}\u0001${o.charityNumber ?? ''}\u0001${o.companyNumber ?? ''}\u0001${o.locality ?? ''}\u0001${o.postcode ?? ''}\u0001${o.members ?? ''}`;
}

/** The stored key of an organisation as one record publishes it (org_snapshot.key). */
export function snapshotKey(o: OrgInput): string {
  return createHash('md5').update(JSON.stringify(orgRecord(o))).digest('base64url');
}

/** Same organisation, as published (every column, and what was kept as published). */
function sameOrg(a: OrgInput, b: OrgInput): boolean {
  if (a.name !== b.name || (a.charityNumber ?? null) !== (b.charityNumber ?? null) || (a.companyNumber ?? null) !== (b.companyNumber ?? null)
    || (a.streetAddress ?? null) !== (b.streetAddress ?? null) || (a.locality ?? null) !== (b.locality ?? null) || (a.region ?? null) !== (b.region ?? null)
    || (a.country ?? null) !== (b.country ?? null) || (a.postcode ?? null) !== (b.postcode ?? null) || (a.url ?? null) !== (b.url ?? null)
    || (a.organisationType ?? null) !== (b.organisationType ?? null) || (a.members ?? null) !== (b.members ?? null)) return false;
  const p = a.published ?? null;
  const q = b.published ?? null;
  return p === q || (p !== null && q !== null && JSON.stringify(p) === JSON.stringify(q));
}

/**
 * Remembers, for one reading thread, what it has already told the writer: each organisation id's
 * details (for the shared `organisation` view) and snapshot keys, so each is sent again only when
 * it changes. A file names the same funder on every row: comparing with the last organisation
 * seen under its id is cheaper than building a key for it. Bounded: past the limit it starts
 * again, and the writer finds anything it already stored.
 */
export class SentOrgs {
  /**
   * By org id: the last organisation seen as published and its snapshot key; the last one sent
   * for the shared view, and whether what the shared view holds of the one seen is what was sent.
   */
  private readonly byId = new Map<string, { org: OrgInput; key: string; view: OrgInput | null; viewSent: boolean }>();
  private readonly sent = new Set<string>();
  private static readonly MAX = 100_000;

  private entry(o: OrgInput): { org: OrgInput; key: string; view: OrgInput | null; viewSent: boolean } {
    const e = this.byId.get(o.id);
    if (e && (e.org === o || sameOrg(e.org, o))) return e;
    if (this.byId.size >= SentOrgs.MAX) this.byId.clear();
    const next = { org: o, key: snapshotKey(o), view: e?.view ?? null, viewSent: false };
    this.byId.set(o.id, next);
    return next;
  }

  /** The organisations whose details for the shared view differ from what was last sent for their id (in order). */
  changed(orgs: OrgInput[]): OrgInput[] | null {
    let out: OrgInput[] | null = null;
    for (const o of orgs) {
      const e = this.entry(o);
      if (e.viewSent) continue;
      e.viewSent = true;
      if (e.view && orgViewKey(e.view) === orgViewKey(o)) continue;
      e.view = o;
      (out ??= []).push(o);
    }
    return out;
  }

  /** An organisation's snapshot key; the organisation goes to `fresh` the first time its key is met. */
  key(o: OrgInput, fresh: [string, OrgInput][]): string {
    const { key } = this.entry(o);
    if (!this.sent.has(key)) {
      if (this.sent.size >= SentOrgs.MAX) this.sent.clear();
      this.sent.add(key);
      fresh.push([key, o]);
    }
    return key;
  }
}

const orNull = <T>(a: T[]): T[] | null => (a.length ? a : null);

/**
 * A GrantInput as stored. `sent` (a reading thread's) leaves out organisations already sent; the
 * writer's own conversions pass a fresh one.
 */
export function toStored(g: GrantInput, location: string, sent: SentOrgs): StoredGrant {
  const row: Cell[] = [
    g.id, g.title, g.description, g.currency, g.amountAwardedPence, g.awardDate, g.plannedStart, g.plannedEnd,
    g.plannedDurationMonths, g.plannedPeriodText ?? null, g.programmeCode, g.programmeTitle, g.fundingOrg?.id ?? null,
    g.recipientOrg?.id ?? null, g.fromOpenCall, g.dateModified, g.services ?? null, g.dataSource, g.sourceRef,
    null, // source_document: provenance, set after hashing
    Object.keys(g.extra).length ? JSON.stringify(g.extra) : null,
    g.amountAppliedForPence ?? null, g.amountDisbursedPence ?? null, g.asPublished ? JSON.stringify(g.asPublished) : null,
  ];
  const orgs: OrgInput[] = [];
  if (g.fundingOrg?.name) orgs.push(g.fundingOrg);
  if (g.recipientOrg?.name) orgs.push(g.recipientOrg);
  for (const o of g.otherOrgs ?? []) orgs.push(o);
  let snapshots: StoredGrant['snapshots'] = null;
  const fresh: [string, OrgInput][] = [];
  if (g.moreOrgs) {
    const recipients = g.recipientOrg ? [sent.key(g.recipientOrg, fresh)] : [];
    const funders = g.fundingOrg ? [sent.key(g.fundingOrg, fresh)] : [];
    for (const o of g.moreOrgs.recipients) recipients.push(sent.key(o, fresh));
    for (const o of g.moreOrgs.funders) funders.push(sent.key(o, fresh));
    snapshots = { recipients, funders };
  }
  const outcomes = g.themes.map((t) => t.outcome).filter(Boolean).join('\n');
  const s: StoredGrant = {
    id: g.id,
    row,
    hash: '',
    position: g.position ?? null,
    location,
    orgs: sent.changed(orgs),
    snapshots,
    newSnapshots: orNull(fresh),
    locations: orNull(g.beneficiaryLocations.map((l) => [l.name, l.countryCode ?? null, l.geoCode ?? null, l.geoCodeType ?? null])),
    classifications: orNull(g.classifications.map((c) => [c.vocabulary ?? null, c.code ?? null, c.title ?? null])),
    lines: storedLines(g),
    variations: orNull(g.variations.map((v) => [v.date ?? null, v.whenText ?? null, v.description, v.changePence ?? null, v.newTotalPence ?? null, v.sourceRef ?? null])),
    partners: orNull(g.partners.map((p) => [p.orgId, p.role ?? null])),
    themes: orNull(g.themes.map((t) => [t.theme, t.outcome ?? null, t.sourceRef ?? null])),
    flags: orNull(g.flags.map((f) => [f.name, f.value, f.evidence ?? null, f.sourceRef ?? null])),
    figures: orNull(g.figures.map((f) => [f.measure, f.financialYear ?? -1, f.status, f.valueNumber ?? null, f.valueText ?? null, f.wording ?? null, f.sourceRef ?? null])),
    fts: outcomes ? [[g.description, g.services].filter(Boolean).join('\n') || null, outcomes] : null,
  };
  s.hash = storedHash(s);
  row[SOURCE_DOCUMENT] = g.sourceDocument;
  return s;
}

/**
 * Everything stored for the grant but where it came from (file, position, location) and what was
 * sent alongside (organisations, new snapshots): equal hashes, equal rows. Computed before
 * source_document is filled in.
 */
function storedHash(s: StoredGrant): string {
  const content = [s.row, s.snapshots?.recipients ?? null, s.snapshots?.funders ?? null, s.locations, s.classifications, s.lines,
    s.variations, s.partners, s.themes, s.flags, s.figures, s.fts];
  return `s1:${hash('sha1', serial(content, ''), 'base64url')}`;
}

/**
 * Values as one string that tells them apart exactly (a string's length before it, a number
 * marked as one, null as `~`): cheaper to build than JSON, which escapes every quote of the
 * published JSON a row holds.
 */
function serial(v: unknown, out: string): string {
  if (v === null || v === undefined) return `${out}~`;
  if (typeof v === 'string') return `${out}${v.length}:${v}`;
  if (typeof v === 'number') return `${out}#${v};`;
  const a = v as unknown[];
  out += `[${a.length}`;
  for (let i = 0; i < a.length; i++) out = serial(a[i], out);
  return out;
}

/** Explicit money lines as stored; null when the one derived award line can be made in SQL. */
function storedLines(g: GrantInput): Cell[][] | null {
  if (!g.allocations.length) {
    if (g.amountAwardedPence === null) return [];
    // The common case (every 360Giving award): the writer derives the line in SQL, in bulk.
    if (g.awardDate) return null;
  }
  const lines = g.allocations.length ? g.allocations : derivedAward(g);
  const superseded = new Set(lines.map((a) => a.supersedes).filter((s): s is number => s != null));
  return lines.map((a, i) => {
    const span = lineSpan(a);
    return [span.financialYear, a.periodText ?? null, a.recipientOrgId, a.funderOrgId, a.stream ?? null, a.basis, a.amountPence,
      a.amountStatus, a.supersedes ?? null, superseded.has(i + 1) ? 1 : 0, a.note ?? null, a.sourceRef ?? null,
      span.period?.start ?? null, span.period?.end ?? null, span.period?.precision ?? null, span.fyFrom, span.fyTo, a.footnote ?? null];
  });
}

/**
 * Where a line sits in time: its period and the financial years it overlaps. `financial_year`
 * is set only for a line within one year; a line over several years is matched by its span.
 */
function lineSpan(a: Pick<AllocationInput, 'financialYear' | 'period'>): { period: Period | null; fyFrom: number | null; fyTo: number | null; financialYear: number | null } {
  const period = a.period ?? (a.financialYear !== null ? fyPeriod(a.financialYear) : null);
  if (!period) return { period: null, fyFrom: null, fyTo: null, financialYear: null };
  const { from, to } = periodFinancialYears(period);
  return { period, fyFrom: from, fyTo: to, financialYear: from === to ? from : null };
}

function plannedPeriod(g: GrantInput): Period | null {
  if (g.plannedPeriodText) return tryParsePeriod(g.plannedPeriodText);
  if (g.plannedStart && g.plannedEnd && g.plannedStart <= g.plannedEnd) return { start: g.plannedStart, end: g.plannedEnd, precision: 'day' };
  return null;
}

/**
 * A grant with no money lines contributes one `award` line in the financial year of its award
 * date. The writer makes that line in SQL (its `awardLines` statement); this is the same line in
 * code, for a grant without an award date (it covers the planned period, when known).
 */
function derivedAward(g: GrantInput): AllocationInput[] {
  if (g.amountAwardedPence === null) return [];
  return [{
    financialYear: g.awardDate ? financialYearOfDate(g.awardDate).start : null,
    // Without an award date, the award covers the grant's planned period, when that is known.
    period: g.awardDate ? null : plannedPeriod(g),
    periodText: g.awardDate ? null : g.plannedPeriodText ?? null,
    recipientOrgId: g.recipientOrg?.id ?? null,
    funderOrgId: g.fundingOrg?.id ?? null,
    stream: null,
    basis: 'award' as const,
    amountPence: g.amountAwardedPence,
    amountStatus: 'value' as const,
    supersedes: null,
    note: null,
    sourceRef: g.sourceRef,
  }];
}

/** `360G-LBFEW-109588` -> `360G-LBFEW`: the publisher's registered prefix (the source of a 360Giving id). */
export function idPrefix(id: string): string {
  const m = /^([^-]+-[^-]+)-/.exec(id);
  return m ? m[1] : id;
}

/**
 * A copy of a string that keeps nothing else alive. Strings a reading thread hands over are
 * slices of one long string per batch (src/import/stored-transfer.ts), and a slice keeps all of
 * it: what the writer keeps past the batch is copied.
 */
export function ownString(s: string): string {
  return (' ' + s).slice(1);
}
