/**
 * From a request and the register to the letter's view model, plus the evidence (every figure
 * shown and every register row used) that `<ref>.answer.json` records for `foi verify`.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../db/open.js';
import { DataError, FoiError } from '../core/errors.js';
import { formatLongDate } from '../core/dates.js';
import { formatFinancialYear, parseFinancialYear } from '../core/financial-year.js';
import { formatMoney } from '../core/money.js';
import { emptyQuery, holdsAnyYear, parseFlagFilters, queryGrants, resolveThemes, yearsInRegister, type GrantQuery, type GrantRow, type QueryResult, type RowOrder } from '../register/query.js';
import { computeDeadline } from '../deadline/working-days.js';
import { EXEMPTIONS, citeExemption, type Criteria, type QuestionSpec, type RequestSpec } from './request.js';

/** EIR reg 6(1)(b): the information is already public (not an exception; the opening says so apart). */
const PUBLISHED = '6(1)(b)';
import { RegisterLookups } from './register-lookups.js';
import { FootnoteNumbers, buildTable, type TableOptions } from './letter-tables.js';
import type { BodyView, ExtensionView, LetterView, QuestionView, TableView } from './view-model.js';

/** One figure shown in the letter, addressed so that `foi verify` can say which changed. */
export interface EvidenceCell {
  question: number;
  table: string | null;
  grantId: string;
  /** The row's recipient when a grant has a row per recipient, else null. */
  recipientId: string | null;
  /** The money lines (seq) the row shows: tells apart two rows of one grant (an original and a revised budget). */
  lines?: number[];
  column: string;
  value: string;
}

/** One register money line a letter used. */
export interface EvidenceLine {
  grantId: string;
  seq: number;
  financialYear: string | null;
  amountPence: number | null;
  amountStatus: string;
  basis: string;
}

/** The criteria as run, recorded in the answer record: a GrantQuery with years written out. */
export type ResolvedCriteria = Omit<GrantQuery, 'years' | 'activeIn' | 'includeSuperseded' | 'grantIds' | 'order'> & {
  years: string[]; activeIn: string[]; grants: string[]; includeSuperseded: boolean; order: string;
};

export interface Evidence {
  /** `despiteMatches`: why a not-held, exempt or cost-refused question stands over matching rows. */
  questions: {
    number: number; criteria: ResolvedCriteria | null; lines: EvidenceLine[]; despiteMatches: string | null; tables?: ResolvedCriteria[];
    /** Grants that match but are withdrawn (no longer in their source): left out of the letter. */
    withdrawn?: string[];
  }[];
  cells: EvidenceCell[];
  /** sha256 over the cells and lines: the same register answer gives the same fingerprint. */
  fingerprint: string;
}

export interface BuildOptions {
  body: BodyView;
  /** ISO date used when the request gives no response date (the body's today). */
  today: string;
  /** The deadline for a response date, from the request log's clock (src/log/letters.ts); default: 20 working days from receipt. */
  deadline?: ((responseIso: string) => { due: string; late: boolean; extension: ExtensionView | null } | null) | null;
}

export function buildLetter(db: Db, req: RequestSpec, opts: BuildOptions): { view: LetterView; evidence: Evidence } {
  const body = opts.body;
  const responseIso = req.responseDate ?? opts.today;
  if (responseIso < req.received) {
    throw new DataError(`${req.reference}: the response date ${formatLongDate(responseIso)} is before the request was received (${formatLongDate(req.received)})`);
  }
  const eir = req.regime === 'eir';
  checkRegime(req, eir);
  const deadline = opts.deadline?.(responseIso) ?? { due: computeDeadline(req.received).due, late: null, extension: null };
  const data = new RegisterLookups(db);
  const evidence: Evidence = { questions: [], cells: [], fingerprint: '' };
  const questions = req.questions.map((q, i) => buildQuestion(db, data, q, i + 1, req.reference, body, evidence));
  evidence.fingerprint = createHash('sha256').update(JSON.stringify([evidence.questions, evidence.cells])).digest('hex');

  const outcomes = questions.map((q) => (q.noMatch && (q.outcome === 'held' || q.outcome === 'partly_held') ? 'not_held' : q.outcome));
  const overall: LetterView['outcome'] = outcomes.every((o) => o === 'refused_cost')
    ? 'refused'
    : outcomes.every((o) => o === 'not_held')
      ? 'not_held'
      : outcomes.every((o) => o === 'held')
        ? 'held'
        : 'partly_held';
  const view: LetterView = {
    body,
    ref: req.reference,
    requester: { name: req.requester.name, address: req.requester.address },
    received: formatLongDate(req.received),
    receivedIso: req.received,
    responseDate: formatLongDate(responseIso),
    responseDateIso: responseIso,
    due: formatLongDate(deadline.due),
    dueIso: deadline.due,
    late: deadline.late ?? responseIso > deadline.due,
    extension: deadline.extension,
    outcome: overall,
    eir,
    anyExemption: questions.some((q) => q.exemption !== null && q.exemption.section !== PUBLISHED),
    anyPublished: questions.some((q) => q.exemption?.section === PUBLISHED),
    allExempt: questions.every((q) => q.outcome === 'exempt'),
    anyNotHeld: questions.some((q) => q.outcome === 'not_held' || q.outcome === 'partly_held'),
    questions,
  };
  return { view, evidence };
}

/**
 * Environmental information is exempt from FOIA (s.39) and is refused only under an EIR
 * exception, and EIR exceptions do not apply to a FOIA request: a letter citing the other
 * regime's provision would give the applicant the wrong law, so it is refused, naming the one to use.
 */
function checkRegime(req: RequestSpec, eir: boolean): void {
  req.questions.forEach((q, i) => {
    const e = q.exemption && EXEMPTIONS[q.exemption.section];
    if (!e || (e.regime === 'eir') === eir) return;
    const where = `${req.reference} question ${i + 1}`;
    const instead = e.counterpart ? `; cite ${citeExemption(e.counterpart)} (${EXEMPTIONS[e.counterpart].title}) instead` : eir
      ? '; the EIR have no such exception: give the information, or say where it is published in the intro'
      : '';
    const how = eir
      ? 'the request is answered under the Environmental Information Regulations 2004 (the request log or its regime: says eir)'
      : 'the request is answered under the Freedom of Information Act 2000 (give regime: eir for environmental information)';
    throw new DataError(`${where}: ${citeExemption(q.exemption!.section)} is ${eir ? 'a Freedom of Information Act exemption' : 'an EIR exception'}, but ${how}${instead}`);
  });
}

export function resolveCriteria(
  db: Db, c: Criteria | null, where: string, opts: { includeSuperseded: boolean; order: RowOrder } = { includeSuperseded: false, order: 'year' },
): { query: GrantQuery; resolved: ResolvedCriteria } | null {
  if (!c) return null;
  const query = emptyQuery();
  try {
    query.years = c.fy.map((y) => parseFinancialYear(y).start);
    query.activeIn = c.activeIn.map((y) => parseFinancialYear(y).start);
    query.themes = resolveThemes(db, c.themes);
    query.flags = parseFlagFilters(db, Object.entries(c.flags).map(([k, v]) => `${k}=${v}`));
  } catch (e) {
    if (e instanceof FoiError) throw new DataError(`${where}: ${e.message}`);
    throw e;
  }
  query.text = c.text;
  query.recipient = c.recipient;
  query.funder = c.funder;
  query.programme = c.programme;
  query.minPence = c.min;
  query.maxPence = c.max;
  query.grantIds = c.grants;
  query.includeSuperseded = opts.includeSuperseded;
  query.order = opts.order;
  const resolved: ResolvedCriteria = {
    years: query.years.map((y) => formatFinancialYear(y)), activeIn: query.activeIn.map((y) => formatFinancialYear(y)), themes: query.themes,
    text: query.text, recipient: query.recipient, funder: query.funder, programme: query.programme, minPence: query.minPence,
    maxPence: query.maxPence, flags: query.flags, grants: query.grantIds, includeSuperseded: query.includeSuperseded, order: query.order,
  };
  return { query, resolved };
}

function buildQuestion(db: Db, data: RegisterLookups, q: QuestionSpec, number: number, ref: string, body: BodyView, evidence: Evidence): QuestionView {
  const where = `${ref} question ${number}`;
  const crit = resolveCriteria(db, q.criteria, where);
  const view: QuestionView = {
    number, wording: q.wording, outcome: q.outcome, intro: q.intro, tables: [], noMatch: false,
    notHeldText: q.outcome === 'not_held' ? q.notHeldText ?? `${body.shortName} does not hold this information.` : q.notHeldText,
    advice: q.advice,
    exemption: q.exemption
      ? { section: q.exemption.section, partial: EXEMPTIONS[q.exemption.section].partial, reason: q.exemption.reason, publishedAt: q.exemption.publishedAt, publicInterestFor: q.exemption.publicInterestFor, publicInterestAgainst: q.exemption.publicInterestAgainst }
      : null,
    notes: [...q.notes],
    sources: [],
  };
  const lines: EvidenceLine[] = [];
  const evidenceQuestion: Evidence['questions'][number] = { number, criteria: crit?.resolved ?? null, lines, despiteMatches: q.despiteMatches };
  evidence.questions.push(evidenceQuestion);
  if (!crit) return view;
  const result = queryGrants(db, crit.query);
  // Grants withdrawn from their source are never in a letter; the answer record names any that match.
  const withdrawn = data.anyWithdrawn() ? withdrawnMatches(db, crit.query, result) : [];
  if (withdrawn.length) evidenceQuestion.withdrawn = withdrawn;

  if (q.outcome !== 'held' && q.outcome !== 'partly_held') {
    // A letter must never say "not held" (or withhold, or refuse on cost) over rows the register
    // holds without saying why: the officer gives the reason, and the answer record keeps it.
    for (const r of result.rows) lines.push(evidenceLine(r));
    if (result.rows.length && !q.despiteMatches) {
      const outcome = q.outcome.replace('_', ' ');
      throw new DataError(`${where}: the outcome is "${outcome}", but its criteria match ${describeMatches(result)} in the register; answer it as held, narrow the criteria, or give the reason in despiteMatches`);
    }
    return view;
  }

  if (crit.query.years.length && !holdsAnyYear(db, crit.query.years)) {
    const have = yearsInRegister(db).map((y) => formatFinancialYear(y));
    const asked = crit.query.years.map((y) => formatFinancialYear(y)).join(', ');
    throw new DataError(`${where}: the register holds no grants at all in ${asked} (it holds ${have.length ? `${have[0]} to ${have[have.length - 1]}` : 'none'}); check the year, or answer this question as not held`);
  }
  const themeName = q.outcomeTheme ?? crit.query.themes[0] ?? null;
  const footnotes = new FootnoteNumbers();
  const seen = new Set<string>();
  const sourceRefs: (string | null)[] = [];
  const multi = q.tables.length > 1;
  if (multi) evidenceQuestion.tables = [];
  for (const [ti, spec] of q.tables.entries()) {
    const tcrit = resolveCriteria(db, spec.criteria, multi ? `${where} table ${ti + 1}` : where, spec)!;
    evidenceQuestion.tables?.push(tcrit.resolved);
    const tresult = queryGrants(db, tcrit.query);
    for (const r of tresult.rows) {
      const k = `${r.id}\u0000${r.seq}`;
      if (!seen.has(k)) {
        seen.add(k);
        lines.push(evidenceLine(r));
      }
      sourceRefs.push(r.sourceRef);
    }
    const label = (year: number | null) => [multi ? `table ${ti + 1}` : null, year === null ? null : formatFinancialYear(year)].filter(Boolean).join(', ') || null;
    const tableOptions = (year: number | null): TableOptions => ({
      year, years: tcrit.query.years, grandTotal: spec.grandTotal, total: spec.total, themeName, body, footnotes,
      record: (c) => evidence.cells.push({ question: number, table: label(year), ...c }),
    });
    const withCaption = (t: TableView): TableView => ({ ...t, caption: spec.caption ?? t.caption });
    const perYear = spec.tablePer === 'year' || (spec.tablePer === null && tcrit.query.years.length > 1);
    if (perYear) {
      const years = tcrit.query.years.length ? tcrit.query.years : yearsOf(tresult.rows);
      for (const year of years) {
        // A line belongs to every year its period overlaps.
        const rows = tresult.rows.filter((r) => r.fyFrom !== null && r.fyFrom <= year && r.fyTo !== null && year <= r.fyTo);
        if (!rows.length) {
          const fy = formatFinancialYear(year);
          view.tables.push({ financialYear: fy, caption: spec.caption, columns: [], rows: [], totalRow: null, notes: [], emptyText: `No grants matched these criteria in ${fy}.`, cells: [], totalCells: null });
          continue;
        }
        view.tables.push(withCaption(buildTable(data, spec.columns, rows, tableOptions(year))));
      }
      const undated = tresult.rows.filter((r) => r.fyFrom === null);
      if (undated.length) view.tables.push({ ...buildTable(data, spec.columns, undated, tableOptions(null)), caption: 'No financial year stated' });
    } else if (tresult.rows.length) {
      view.tables.push(withCaption(buildTable(data, spec.columns, tresult.rows, tableOptions(null))));
    } else {
      view.tables.push({ financialYear: null, caption: spec.caption, columns: [], rows: [], totalRow: null, notes: [], emptyText: 'No grants matched these criteria.', cells: [], totalCells: null });
    }
  }
  if (!view.tables.some((t) => t.rows.length)) {
    view.noMatch = true;
    view.tables = [];
    return view;
  }
  // Cite the published decisions the figures come from (an FOI response is not cited back to itself).
  view.sources = data.decisionRefs(sourceRefs);
  return view;
}

function withdrawnMatches(db: Db, query: GrantQuery, current: QueryResult): string[] {
  const shown = new Set(current.rows.map((r) => r.id));
  const all = queryGrants(db, { ...query, includeWithdrawn: true });
  return [...new Set(all.rows.map((r) => r.id).filter((id) => !shown.has(id)))].sort();
}

function evidenceLine(r: GrantRow): EvidenceLine {
  return { grantId: r.id, seq: r.seq, financialYear: r.financialYear ?? r.period, amountPence: r.amountPence, amountStatus: r.amountStatus, basis: r.basis };
}

function yearsOf(rows: GrantRow[]): number[] {
  const years = new Set<number>();
  for (const r of rows) if (r.fyFrom !== null && r.fyTo !== null) for (let y = r.fyFrom; y <= r.fyTo; y++) years.add(y);
  return [...years].sort((a, b) => a - b);
}

/** `9 money lines (£250,000)`, with maxima and other currencies named apart. */
export function describeMatches(result: QueryResult): string {
  const n = result.rows.length;
  const sums = result.totals.flatMap((t) => [
    ...(t.totalPence ? [formatMoney(t.totalPence, { currency: t.currency })] : []),
    ...(t.maximumPence ? [`up to ${formatMoney(t.maximumPence, { currency: t.currency })}`] : []),
    ...(t.outsidePence ? [`${formatMoney(t.outsidePence, { currency: t.currency })} over several years`] : []),
  ]);
  return `${n} money line${n === 1 ? '' : 's'}${sums.length ? ` (${sums.join('; ')})` : ''}`;
}
