/**
 * What letter templates are checked against: the shape of the LetterView they are given (for
 * checking the names they use) and the partials every letter relies on.
 */
import { S, type ShapeFor } from './template-analysis.js';
import type { BodyView, ExemptionView, LetterView, QuestionView, TableView } from './view-model.js';
import { EXEMPTIONS } from './request.js';

/** Exemption section → the partial that words it (ExemptionView.partial); one table, in request.ts. */
export const EXEMPTION_PARTIALS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(Object.entries(EXEMPTIONS).map(([section, e]) => [section, e.partial])),
);

/** The partial every top-level template must include (s.17(7): review and the right to complain). */
export const REVIEW_PARTIAL = 'review-and-ico';

// The shape of LetterView, for checking the names templates use. Typed with ShapeFor<…> so that
// any change to view-model.ts that is not mirrored here fails to compile.

const str = S.string;
const num = S.number;
const bool = S.boolean;

const TABLE_SHAPE: ShapeFor<TableView> = {
  kind: 'object',
  name: 'TableView',
  fields: {
    financialYear: { kind: 'nullable', of: str },
    caption: { kind: 'nullable', of: str },
    columns: { kind: 'array', of: { kind: 'object', name: 'TableColumnView', fields: { key: str, header: str, align: str } } },
    rows: { kind: 'array', of: { kind: 'array', of: str } },
    totalRow: { kind: 'nullable', of: { kind: 'array', of: str } },
    notes: { kind: 'array', of: str },
    emptyText: { kind: 'nullable', of: str },
    // Typed cells for the workbook (src/output/table-cells.ts); templates print `rows`.
    cells: S.any as unknown as ShapeFor<TableView['cells']>,
    totalCells: S.any as unknown as ShapeFor<TableView['totalCells']>,
  },
};

const EXEMPTION_SHAPE: ShapeFor<ExemptionView> = {
  kind: 'object',
  name: 'ExemptionView',
  fields: {
    section: str,
    partial: str,
    reason: { kind: 'nullable', of: str },
    publishedAt: { kind: 'nullable', of: str },
    publicInterestFor: { kind: 'array', of: str },
    publicInterestAgainst: { kind: 'array', of: str },
  },
};

const QUESTION_SHAPE: ShapeFor<QuestionView> = {
  kind: 'object',
  name: 'QuestionView',
  fields: {
    number: num,
    wording: str,
    outcome: str,
    intro: { kind: 'nullable', of: str },
    tables: { kind: 'array', of: TABLE_SHAPE },
    noMatch: bool,
    notHeldText: { kind: 'nullable', of: str },
    advice: { kind: 'nullable', of: str },
    exemption: { kind: 'nullable', of: EXEMPTION_SHAPE },
    notes: { kind: 'array', of: str },
    sources: { kind: 'array', of: str },
  },
};

const BODY_SHAPE: ShapeFor<BodyView> = {
  kind: 'object',
  name: 'BodyView',
  fields: {
    name: str,
    shortName: str,
    letterhead: str,
    address: { kind: 'array', of: str },
    email: { kind: 'nullable', of: str },
    reviewContact: str,
    nextStepsUrl: str,
    decisionsUrl: { kind: 'nullable', of: str },
    signatory: { kind: 'object', fields: { name: str, title: str } },
    costLimit: { kind: 'object', fields: { amount: str, hours: num } },
    salutation: str,
  },
};

export const LETTER_SHAPE: ShapeFor<LetterView> = {
  kind: 'object',
  name: 'LetterView',
  fields: {
    body: BODY_SHAPE,
    ref: str,
    requester: { kind: 'object', fields: { name: { kind: 'nullable', of: str }, address: { kind: 'array', of: str } } },
    received: str,
    receivedIso: str,
    responseDate: str,
    responseDateIso: str,
    due: str,
    dueIso: str,
    late: bool,
    extension: { kind: 'nullable', of: { kind: 'object', name: 'ExtensionView', fields: { kind: str, notice: str, until: str, section: { kind: 'nullable', of: str } } } },
    outcome: str,
    eir: bool,
    anyExemption: bool,
    anyPublished: bool,
    allExempt: bool,
    anyNotHeld: bool,
    questions: { kind: 'array', of: QUESTION_SHAPE },
  },
};
