/**
 * The data a response letter template sees. Built by src/letters/build-view.ts from a request
 * and the register; rendered by Handlebars templates into Markdown.
 *
 * Rules that keep templates strict-mode safe: every optional field is present and `null`
 * (never absent), every list is present (possibly empty). All money and dates are already
 * formatted for the letter; raw values sit beside them for helpers that need them.
 */

import type { SheetCell } from '../output/table-cells.js';

export interface BodyView {
  /** "Mayor's Office for Policing And Crime" */
  name: string;
  /** "MOPAC" */
  shortName: string;
  /** Letterhead line(s), e.g. "MAYOR OF LONDON OFFICE FOR POLICING AND CRIME". */
  letterhead: string;
  address: string[];
  email: string | null;
  /** Where the internal review request goes (an address or email). */
  reviewContact: string;
  /** The body's FOI "next steps" page. */
  nextStepsUrl: string;
  /** Where decisions are published (for s.21). */
  decisionsUrl: string | null;
  signatory: { name: string; title: string };
  /** s.12 cost limit for this body: £450 / 18 hours outside central government. */
  costLimit: { amount: string; hours: number };
  /** The greeting when the requester's name is not known: "Dear Sir or Madam". */
  salutation: string;
}

export type QuestionOutcome = 'held' | 'partly_held' | 'not_held' | 'exempt' | 'refused_cost';

export type Align = 'left' | 'right';

export interface TableColumnView {
  key: string;
  header: string;
  align: Align;
}

export interface TableView {
  /** "2017-18" when the question spans several years (one table per year), else null. */
  financialYear: string | null;
  caption: string | null;
  columns: TableColumnView[];
  /** Cells already formatted for the letter (money as £2,087,431.81, "Y"/"N", not-held wording). */
  rows: string[][];
  /** A totals row, formatted, or null when the table has no money column or one row. */
  totalRow: string[] | null;
  /**
   * Sentences printed under the table: numbered notes to figures ("Note 1: …"), what the total
   * leaves out and why, and that budgets are budgets, not spend.
   */
  notes: string[];
  /** When nothing matched in this table's year: the sentence that says so (rows is then empty). */
  emptyText: string | null;
  /** `rows` typed for the workbook, cell for cell: money in pence, counts as numbers, the rest text. */
  cells: SheetCell[][];
  /** `totalRow` typed, or null when there is none. */
  totalCells: SheetCell[] | null;
}

export interface ExemptionView {
  /** "21", "40(2)", "43(2)", "31", "38"; for EIR "12(5)(e)", "13" */
  section: string;
  /** Partial name for the paragraph: "exemption-s21" etc. */
  partial: string;
  /** Officer's reasons, where the template asks for them (null when none given). */
  reason: string | null;
  /** For s.21: where the information is already published. */
  publishedAt: string | null;
  /** For qualified exemptions: public interest factors. */
  publicInterestFor: string[];
  publicInterestAgainst: string[];
}

export interface QuestionView {
  number: number;
  /** The requester's own words, quoted in the letter. */
  wording: string;
  outcome: QuestionOutcome;
  /** Officer's introduction for this answer, or null. */
  intro: string | null;
  /** One per financial year when the question spans several years; empty when nothing matched. */
  tables: TableView[];
  /** True when the criteria matched no rows in any year: the letter says so instead of showing an empty table. */
  noMatch: boolean;
  /** "MOPAC does not hold this information." for not_held; null otherwise. */
  notHeldText: string | null;
  /** s.16 advice (who might hold it, how to narrow). */
  advice: string | null;
  exemption: ExemptionView | null;
  /** Further notes under the tables (e.g. "* figures rolled over from the previous year"). */
  notes: string[];
  /** Decisions the figures come from (`PCD 1653`, `CEOD 03-2019`), for citation. */
  sources: string[];
}

/** An extension the applicant was told of in time (from the request log): FOIA s.10(3) or EIR reg 7(1). */
export interface ExtensionView {
  kind: 'pit' | 'eir';
  /** "21 August 2023": when the applicant was told. */
  notice: string;
  /** "18 September 2023": the date the reply was promised by. */
  until: string;
  /** The exemption whose public interest test needed the time ("43(2)"); null for EIR. */
  section: string | null;
}

export interface LetterView {
  body: BodyView;
  ref: string;
  requester: { name: string | null; address: string[] };
  /** "24 January 2019" */
  received: string;
  receivedIso: string;
  responseDate: string;
  responseDateIso: string;
  /** The statutory due date (20th working day). */
  due: string;
  dueIso: string;
  /** The response is dated after the due date: the letter apologises. */
  late: boolean;
  /** A permitted extension recorded in the request log, or null. */
  extension: ExtensionView | null;
  /** Overall outcome, for choosing opening paragraphs. */
  outcome: 'held' | 'partly_held' | 'not_held' | 'refused';
  /**
   * Answered under the Environmental Information Regulations 2004 (the request log's regime, or
   * the request's `regime: eir`): the letter cites the EIR, its exceptions and reg 11 review.
   */
  eir: boolean;
  /** True when any question uses an exemption or exception (a refusal notice for that part). */
  anyExemption: boolean;
  /** True when any question's information is already publicly available (EIR reg 6(1)(b), not an exception). */
  anyPublished: boolean;
  /** True when every question is withheld under an exemption or exception (none held, none not held). */
  allExempt: boolean;
  /** True when any question's information is (partly) not held: the opening says so only then. */
  anyNotHeld: boolean;
  questions: QuestionView[];
}
