/**
 * Typed records that importers produce and the register writer consumes.
 * Untrusted input (360Giving JSON/CSV, the project's own YAML/JSON/CSV) is parsed into these once.
 * Money is integer pence; dates are ISO YYYY-MM-DD; financial years are their start year (2017 = 2017-18).
 */
import type { Period } from '../core/period.js';

export interface OrgInput {
  /** org-id style identifier: GB-CHC-…, GB-LAE-…, GB-GOR-…, or a 360G-… local id. */
  id: string;
  name: string;
  charityNumber?: string | null;
  companyNumber?: string | null;
  locality?: string | null;
  postcode?: string | null;
  /** For a group of bodies (e.g. Tri-borough): who is in it, in words. */
  members?: string | null;
  // 360Giving records: the organisation as that grant's record publishes it (see org_snapshot).
  streetAddress?: string | null;
  region?: string | null;
  country?: string | null;
  url?: string | null;
  organisationType?: string | null;
  /**
   * 360Giving records: every other key of the published organisation object, and any key whose
   * column above holds something other than the published value (a blank string, say), as published.
   */
  published?: Record<string, unknown> | null;
}

/**
 * A 360Giving grant's recipients and funders after the first, as its record publishes them (the
 * first are GrantInput.recipientOrg and fundingOrg). Each is stored as published (org_snapshot).
 */
export interface MoreOrgs {
  recipients: OrgInput[];
  funders: OrgInput[];
}

/** How a money line relates to the grant. */
export type AllocationBasis =
  | 'award' // the whole award (360Giving amountAwarded in its award-date year)
  | 'budget' // a yearly budget of a multi-year grant
  | 'original' // an original yearly budget that a later revision supersedes
  | 'revised' // a revised yearly budget
  | 'allocation' // one recipient's share of a split award or decision
  | 'grant' // a funder's grant towards a co-funded programme
  | 'match' // a match fund towards a co-funded programme
  | 'maximum'; // an "up to" amount (a ceiling, not a payment)

export const ALLOCATION_BASES: readonly AllocationBasis[] = [
  'award', 'budget', 'original', 'revised', 'allocation', 'grant', 'match', 'maximum',
];

/** 0, unknown and "not held" are different answers: a NULL amount carries one of these. */
export type AmountStatus = 'value' | 'unknown' | 'not_held';

export interface AllocationInput {
  /** The financial year of a line within one year (start year: 2017 = 2017-18). */
  financialYear: number | null;
  /** The period the line covers when the source gives more or other than one financial year. */
  period?: Period | null;
  /** The period as the source words it ("2023 to 2025"), kept for provenance. */
  periodText?: string | null;
  recipientOrgId: string | null;
  funderOrgId: string | null;
  /** Funding stream or label as the source words it ("Home Office Grant", "LBBD Match Fund", "Local IVS"). */
  stream?: string | null;
  basis: AllocationBasis;
  amountPence: number | null;
  amountStatus: AmountStatus;
  /** seq (1-based, within the grant) of the allocation this one supersedes (a revised budget). */
  supersedes?: number | null;
  /** A note for officers: shown by `foi show`, never in letters. */
  note?: string | null;
  /** A note to this figure for the requester: letters print it as a numbered note under the table. */
  footnote?: string | null;
  sourceRef?: string | null;
}

export interface LocationInput {
  name: string;
  countryCode?: string | null;
  geoCode?: string | null;
  geoCodeType?: string | null;
}

export interface ClassificationInput {
  vocabulary?: string | null;
  code?: string | null;
  title?: string | null;
}

export type FlagValue = 'y' | 'n' | 'unknown';

export interface FlagInput {
  name: string;
  value: FlagValue;
  evidence?: string | null;
  sourceRef?: string | null;
}

export interface ThemeInput {
  theme: string;
  /** The outcome for this theme, in the source's words. */
  outcome?: string | null;
  sourceRef?: string | null;
}

export type FigureStatus = 'value' | 'not_applicable' | 'not_held' | 'unknown';

export interface FigureInput {
  measure: string;
  financialYear: number | null;
  status: FigureStatus;
  valueNumber?: number | null;
  valueText?: string | null;
  /** For not_applicable: the reason; for not_held: the body's words ("MOPAC does not hold this data"). */
  wording?: string | null;
  sourceRef?: string | null;
}

export interface VariationInput {
  date?: string | null;
  /** When only a year or period is stated ("2021"). */
  whenText?: string | null;
  description: string;
  changePence?: number | null;
  newTotalPence?: number | null;
  sourceRef?: string | null;
}

export interface PartnerInput {
  orgId: string;
  role?: string | null;
}

export interface GrantInput {
  id: string;
  /** Position of the record in its source file (0-based): `order: register` follows it. */
  position?: number | null;
  title: string;
  description: string | null;
  currency: string;
  amountAwardedPence: number | null;
  awardDate: string | null;
  plannedStart: string | null;
  plannedEnd: string | null;
  plannedDurationMonths: number | null;
  plannedPeriodText?: string | null;
  programmeCode: string | null;
  programmeTitle: string | null;
  fundingOrg: OrgInput | null;
  recipientOrg: OrgInput | null;
  /** Further organisations referenced by allocations or partners (MOPAC records). */
  otherOrgs?: OrgInput[];
  beneficiaryLocations: LocationInput[];
  classifications: ClassificationInput[];
  fromOpenCall: 'y' | 'n' | null;
  dateModified: string | null;
  dataSource: string | null;
  /** Decision or FOI reference the record comes from: `PCD 1653`, `CEOD 03-2019`, `FOI 556`. */
  sourceRef: string | null;
  sourceDocument: string | null;
  /** Services provided, in the source's words (MOPAC records). */
  services?: string | null;
  /** 360Giving amounts besides the award, in the grant's currency (NULL: not stated). */
  amountAppliedForPence?: number | null;
  amountDisbursedPence?: number | null;
  /**
   * 360Giving records (null for the register's own): the organisations after the first. With it,
   * recipientOrg and fundingOrg are stored as their record published them (org_snapshot).
   */
  moreOrgs?: MoreOrgs | null;
  /** Keys of the published record that no column holds (standard or not), kept as they were. */
  extra: Record<string, unknown>;
  /**
   * 360Giving records only (null otherwise): for keys that columns hold in a normalised or repaired
   * form (`awardDate` as a calendar date, `fromOpenCall` "Y" read as Yes), the value as published.
   * Columns + asPublished + extra rebuild the published record exactly (src/register/published-record.ts).
   */
  asPublished?: Record<string, unknown> | null;
  /**
   * What a record from `foi export 360giving` carries for the grant's references (its `foi`
   * extension): sources, themes, flags, measures and organisations, defined in the register when
   * it does not have them yet (an export imported into an empty register).
   */
  definitions?: GrantDefinitions | null;
  /** Money lines. When empty, the writer derives one `award` line from amountAwarded and awardDate. */
  allocations: AllocationInput[];
  themes: ThemeInput[];
  flags: FlagInput[];
  figures: FigureInput[];
  variations: VariationInput[];
  partners: PartnerInput[];
}

export interface GrantDefinitions {
  sources: { ref: string; kind: string; title: string | null; date: string | null; url: string | null; document: string | null }[];
  themes: { name: string; label: string }[];
  flags: { name: string; question: string }[];
  measures: { name: string; label: string }[];
  organisations: OrgInput[];
}

/** One finding about input data, precise enough for an officer to fix the file. */
export interface Issue {
  severity: 'error' | 'warning';
  /**
   * For warnings: `schema` when the value breaks the 360Giving schema but foi could read it (or does
   * not depend on it) and kept it as published; `quality` (the default) for a data-quality notice.
   */
  kind?: 'schema' | 'quality';
  file: string;
  /** `row 12` for CSV (1-based, header is row 1) or a JSON path `grants[3].awardDate`. */
  location: string;
  column?: string | null;
  value?: string | null;
  message: string;
}

/** Something the importer changed on the way in ("£1,234.50" -> 123450 pence). */
export interface Normalisation {
  file: string;
  location: string;
  column: string;
  from: string;
  to: string;
}

export function formatIssue(i: Issue): string {
  const where = [i.file, i.location, i.column ? `column "${i.column}"` : null].filter(Boolean).join(', ');
  const val = i.value != null && i.value !== '' ? ` (value: ${JSON.stringify(i.value)})` : '';
  return `${where}: ${i.message}${val}`;
}

/** What a reader yields, in file order. */
export type ImportItem =
  | { kind: 'grant'; grant: GrantInput; location: string }
  | { kind: 'issue'; issue: Issue }
  | { kind: 'normalised'; note: Normalisation };

export function emptyGrant(id: string, title: string): GrantInput {
  return {
    id, title, description: null, currency: 'GBP', amountAwardedPence: null, awardDate: null,
    plannedStart: null, plannedEnd: null, plannedDurationMonths: null, plannedPeriodText: null,
    programmeCode: null, programmeTitle: null, fundingOrg: null, recipientOrg: null, otherOrgs: [],
    beneficiaryLocations: [], classifications: [], fromOpenCall: null, dateModified: null,
    dataSource: null, sourceRef: null, sourceDocument: null, services: null, extra: {},
    allocations: [], themes: [], flags: [], figures: [], variations: [], partners: [],
  };
}
