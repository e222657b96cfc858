/**
 * The `foi` extension of a 360Giving grant record (format `foi-360/1`): what the register holds
 * that the standard has no field for, written by `foi export 360giving` and read back by
 * `foi import` (src/import/360/foi-extension.ts). The 360Giving standard allows additional
 * fields; everything here sits under one key, `foi`, so that the standard's own fields stay as
 * the standard defines them.
 *
 * - For the register's own grants (MOPAC-style records): the money lines (yearly budgets,
 *   original and revised, co-funding per funder, allocations to several recipients, "up to"
 *   maxima, each with its period, basis, stream and footnote), variations, partners, themes with
 *   their outcomes, yes/no flags, per-year figures (a number, not held in the body's words, not
 *   applicable with the reason), the sources they cite and the organisations they name, and
 *   `derived`: which standard fields the register does not state and the export filled in, and
 *   how (see src/export/register-record.ts).
 * - For grants imported from a 360Giving file whose published form breaks the schema (`"Y"` for
 *   fromOpenCall, a web address without https://, no description): `asPublished`, the published
 *   value of each field the export changed, so that importing the export gives back the record
 *   exactly as first published.
 *
 * Amounts are numbers in the grant's currency (pence / 100), as the standard writes amounts.
 */

export const FOI_KEY = 'foi';
export const FOI_FORMAT = 'foi-360/1';

export interface ExtPeriod {
  start: string;
  end: string;
  precision: 'fy' | 'year' | 'month' | 'day';
  /** The period as the source words it (`2023 to 2025`), when it does. */
  text?: string;
}

export interface ExtMoneyLine {
  line: number;
  /** `2017-18`: a line within one financial year, as the source states it. */
  financialYear?: string;
  /** Any other period the line covers (several years, part of one, calendar years). */
  period?: ExtPeriod;
  /** award | budget | original | revised | allocation | grant | match | maximum ("up to": a ceiling, not money awarded). */
  basis: string;
  /** In the grant's currency; absent when the amount is unknown or not held. */
  amount?: number;
  amountStatus: 'value' | 'unknown' | 'not held';
  funder?: string;
  recipient?: string;
  stream?: string;
  /** The line this one supersedes (a revised budget supersedes the original). */
  supersedes?: number;
  superseded?: boolean;
  /** Printed in letters as a note to the figure. */
  footnote?: string;
  /** For officers only: exported with --include-notes. */
  note?: string;
  source?: string;
}

export interface ExtSource {
  ref: string;
  kind: string;
  title?: string;
  date?: string;
  url?: string;
  document?: string;
}

export interface ExtOrganisation {
  id: string;
  name: string;
  charityNumber?: string;
  companyNumber?: string;
  locality?: string;
  postcode?: string;
  members?: string;
}

export interface ExtVariation {
  date?: string;
  when?: string;
  description: string;
  change?: number;
  newTotal?: number;
  source?: string;
}

export interface ExtTheme {
  theme: string;
  label: string;
  outcome?: string;
  source?: string;
}

export interface ExtFlag {
  flag: string;
  question: string;
  value: 'y' | 'n' | 'unknown';
  evidence?: string;
  source?: string;
}

export interface ExtFigure {
  measure: string;
  label: string;
  financialYear?: string;
  status: 'value' | 'not applicable' | 'not held' | 'unknown';
  value?: number;
  text?: string;
  /** Not held: the body's words; not applicable: the reason. */
  wording?: string;
  source?: string;
}

export interface FoiExtension {
  format: typeof FOI_FORMAT;
  source?: string;
  services?: string;
  /** The grant's planned period in the source's words (`2017-18 to 2019-20`). */
  plannedPeriod?: string;
  moneyLines?: ExtMoneyLine[];
  variations?: ExtVariation[];
  partners?: { org: string; role?: string }[];
  themes?: ExtTheme[];
  flags?: ExtFlag[];
  figures?: ExtFigure[];
  sources?: ExtSource[];
  organisations?: ExtOrganisation[];
  /** Standard fields the register does not state, filled in by the export: field -> how. */
  derived?: Record<string, string>;
  /** Published values of the fields the export changed to meet the schema (`$absent`: fields the published record did not have). */
  asPublished?: Record<string, unknown>;
}

/** The standard fields `derived` may name; importing the export leaves each of them unstated again. */
export const DERIVABLE = ['amountAwarded', 'awardDate', 'recipientOrganization', 'fundingOrganization', 'description'] as const;

/** A recipient or funder the register does not record, named so (the schema requires one). */
export const NOT_STATED_ORG = { id: '360G-foi-not-stated', name: 'Not stated in the register' } as const;
