/**
 * From a request and the register to the letter's view model, plus the evidence (every figure
 * shown and every register row used) that `<ref>.answer.json` records for `foi verify`.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../db/open.js';
import { DataError, UsageError } from '../core/errors.js';
import { formatLongDate } from '../core/dates.js';
import { formatFinancialYear, parseFinancialYear } from '../core/financial-year.js';
import { formatMoney } from '../core/money.js';
import { emptyQuery, parseFlagFilters, queryGrants, resolveThemes, yearsInRegister, type GrantQuery, type GrantRow } from '../register/query.js';
import { computeDeadline } from '../deadline/working-days.js';
import { EXEMPTIONS, type ColumnSpec, type QuestionSpec, type RequestSpec } from './request.js';
import type { BodyView, LetterView, QuestionView, TableColumnView, TableView } from './view-model.js';

/** One figure shown in the letter, addressed so that `foi verify` can say which changed. */
export interface EvidenceCell {
  question: number;
  table: string | null;
  grantId: string;
  /** The row's recipient when a grant has a row per recipient, else null. */
  recipientId: string | null;
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
export type ResolvedCriteria = Omit<GrantQuery, 'years' | 'includeSuperseded' | 'grantIds'> & { years: string[]; grants: string[] };

export interface Evidence {
  questions: { number: number; criteria: ResolvedCriteria | null; lines: EvidenceLine[] }[];
  cells: EvidenceCell[];
  /** sha256 over the cells and lines: the same register answer gives the same fingerprint. */
  fingerprint: string;
}

export interface BuildOptions {
  body: BodyView;
  /** ISO date used when the request gives no response date (the body's today). */
  today: string;
}

interface GrantDetail {
  title: string;
  services: string | null;
  description: string | null;
  programme: string | null;
  recipient: string | null;
  sourceRef: string | null;
}

export function buildLetter(db: Db, req: RequestSpec, opts: BuildOptions): { view: LetterView; evidence: Evidence } {
  const body = opts.body;
  const responseIso = req.responseDate ?? opts.today;
  if (responseIso < req.received) {
    throw new DataError(`${req.reference}: the response date ${formatLongDate(responseIso)} is before the request was received (${formatLongDate(req.received)})`);
  }
  const deadline = computeDeadline(req.received);
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
    late: responseIso > deadline.due,
    outcome: overall,
    anyExemption: questions.some((q) => q.exemption !== null),
    questions,
  };
  return { view, evidence };
}

export function resolveCriteria(db: Db, q: QuestionSpec, where: string): { query: GrantQuery; resolved: ResolvedCriteria } | null {
  const c = q.criteria;
  if (!c) return null;
  const query = emptyQuery();
  try {
    query.years = c.fy.map((y) => parseFinancialYear(y).start);
    query.themes = resolveThemes(db, c.themes);
    query.flags = parseFlagFilters(db, Object.entries(c.flags).map(([k, v]) => `${k}=${v}`));
  } catch (e) {
    if (e instanceof UsageError) throw new DataError(`${where}: ${e.message}`);
    throw e;
  }
  query.text = c.text;
  query.recipient = c.recipient;
  query.funder = c.funder;
  query.programme = c.programme;
  query.minPence = c.min;
  query.maxPence = c.max;
  query.grantIds = c.grants;
  const resolved: ResolvedCriteria = {
    years: query.years.map((y) => formatFinancialYear(y)), themes: query.themes, text: query.text, recipient: query.recipient,
    funder: query.funder, programme: query.programme, minPence: query.minPence, maxPence: query.maxPence,
    flags: query.flags, grants: query.grantIds,
  };
  return { query, resolved };
}

function buildQuestion(db: Db, data: RegisterLookups, q: QuestionSpec, number: number, ref: string, body: BodyView, evidence: Evidence): QuestionView {
  const where = `${ref} question ${number}`;
  const crit = resolveCriteria(db, q, where);
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
  evidence.questions.push({ number, criteria: crit?.resolved ?? null, lines });
  const showsData = q.outcome === 'held' || q.outcome === 'partly_held';
  if (!crit || !showsData) return view;

  const held = new Set(yearsInRegister(db));
  const missing = crit.query.years.filter((y) => !held.has(y));
  if (missing.length) {
    const have = [...held].map((y) => formatFinancialYear(y));
    throw new DataError(`${where}: the register holds no grants at all in ${missing.map((y) => formatFinancialYear(y)).join(', ')} (it holds ${have.length ? `${have[0]} to ${have[have.length - 1]}` : 'none'}); check the year, or answer this question as not held`);
  }
  const result = queryGrants(db, crit.query);
  for (const r of result.rows) lines.push({ grantId: r.id, seq: r.seq, financialYear: r.financialYear, amountPence: r.amountPence, amountStatus: r.amountStatus, basis: r.basis });
  if (!result.rows.length) {
    view.noMatch = true;
    return view;
  }
  // Cite the published decisions the figures come from (an FOI response is not cited back to itself).
  view.sources = data.decisionRefs(result.rows.map((r) => r.sourceRef));
  const perYear = q.tablePer === 'year' || (q.tablePer === null && crit.query.years.length > 1);
  const themeName = q.outcomeTheme ?? crit.query.themes[0] ?? null;
  const groups: { fy: string | null; rows: GrantRow[] }[] = [];
  if (perYear) {
    const years = crit.query.years.length ? crit.query.years.map((y) => formatFinancialYear(y)) : [...new Set(result.rows.map((r) => r.financialYear))].filter((y): y is string => !!y);
    for (const fy of years) groups.push({ fy, rows: result.rows.filter((r) => r.financialYear === fy) });
  } else {
    groups.push({ fy: null, rows: result.rows });
  }
  for (const g of groups) {
    if (!g.rows.length) {
      view.notes.push(`No grants matched in ${g.fy}.`);
      continue;
    }
    view.tables.push(buildTable(data, q.columns, g.fy, g.rows, themeName, body, (grantId, recipientId, column, value) =>
      evidence.cells.push({ question: number, table: g.fy, grantId, recipientId, column, value })));
  }
  const footnotes = new Set<string>();
  if (q.columns.some((c) => c.column === 'amount')) for (const r of result.rows) if (r.note && r.basis !== 'revised') footnotes.add(`${r.title}, ${r.financialYear ?? r.period ?? ''}: ${r.note}.`);
  view.notes.push(...footnotes);
  return view;
}

function buildTable(
  data: RegisterLookups, specs: ColumnSpec[], fy: string | null, rows: GrantRow[], themeName: string | null, body: BodyView,
  record: (grantId: string, recipientId: string | null, column: string, value: string) => void,
): TableView {
  // One table row per grant and recipient (in the order the query returns): co-funding lines of
  // one grant share a row; an award split between recipients, or a decision's allocations to many
  // boroughs, gives a row per recipient.
  const byGrant = new Map<string, GrantRow[]>();
  for (const r of rows) {
    const key = [r.id, r.recipientId ?? '', fy === null ? r.financialYear ?? '' : ''].join('\u0000');
    const list = byGrant.get(key);
    if (list) list.push(r);
    else byGrant.set(key, [r]);
  }
  const columns: TableColumnView[] = specs.map((s) => ({ key: s.column, header: s.header ?? data.defaultHeader(s.column, themeName), align: 'left' }));
  const tableRows: string[][] = [];
  for (const lines of byGrant.values()) {
    const grantId = lines[0].id;
    tableRows.push(specs.map((s) => {
      const value = data.cell(s.column, grantId, lines, themeName, body);
      record(grantId, lines[0].recipientId, s.column, value);
      return value;
    }));
  }
  columns.forEach((c, i) => {
    if (c.key === 'amount' || (c.key.startsWith('figure:') && tableRows.every((r) => /^[\d,]+$/.test(r[i])))) c.align = 'right';
  });
  let totalRow: string[] | null = null;
  const amountIdx = specs.findIndex((s) => s.column === 'amount');
  if (amountIdx >= 0 && tableRows.length > 1) {
    const known = rows.filter((r) => r.amountPence !== null);
    const total = known.reduce((a, r) => a + (r.amountPence ?? 0), 0);
    totalRow = specs.map((_, i) => (i === 0 ? 'Total' : i === amountIdx ? formatMoney(total) + (known.length < rows.length ? ' (excluding amounts not stated)' : '') : ''));
    if (amountIdx === 0) totalRow[0] = `Total ${formatMoney(total)}`;
  }
  return { financialYear: fy, caption: null, columns, rows: tableRows, totalRow };
}

/** Prepared look-ups for the columns a letter can show. */
class RegisterLookups {
  private readonly s;
  private readonly details = new Map<string, GrantDetail>();
  constructor(db: Db) {
    this.s = {
      // The recipient's name as the grant's own record gives it (org_snapshot), else the organisation's.
      grant: db.prepare(`SELECT g.title, g.services, g.description, g.programme_title AS programme, coalesce(rs.name, o.name) AS recipient, g.source_ref AS sourceRef
        FROM grants g LEFT JOIN organisation o ON o.id = g.recipient_org_id
        LEFT JOIN org_snapshot rs ON rs.id = g.recipient_snapshot_id WHERE g.id = ?`),
      partners: db.prepare('SELECT o.name, p.role FROM grant_partner p JOIN organisation o ON o.id = p.org_id WHERE p.grant_id = ? ORDER BY p.seq'),
      locations: db.prepare('SELECT name FROM grant_location WHERE grant_id = ? ORDER BY seq').pluck(),
      outcome: db.prepare('SELECT outcome FROM grant_theme WHERE grant_id = ? AND theme = ?').pluck(),
      flag: db.prepare('SELECT value FROM grant_flag WHERE grant_id = ? AND flag = ?').pluck(),
      figure: db.prepare('SELECT status, value_number AS n, value_text AS t, wording FROM figure WHERE grant_id = ? AND measure = ? AND financial_year IN (?, -1) ORDER BY financial_year DESC LIMIT 1'),
      flagQuestion: db.prepare('SELECT question FROM flag_def WHERE name = ?').pluck(),
      measureLabel: db.prepare('SELECT label FROM measure WHERE name = ?').pluck(),
      themeLabel: db.prepare('SELECT label FROM theme WHERE name = ?').pluck(),
      sourceKind: db.prepare('SELECT kind FROM source WHERE ref = ?').pluck(),
    };
  }

  decisionRefs(refs: (string | null)[]): string[] {
    return [...new Set(refs.filter((r): r is string => !!r))].filter((r) => this.s.sourceKind.get(r) === 'decision').sort();
  }

  private detail(id: string): GrantDetail {
    let d = this.details.get(id);
    if (!d) {
      d = this.s.grant.get(id) as GrantDetail;
      this.details.set(id, d);
    }
    return d;
  }

  defaultHeader(column: string, themeName: string | null): string {
    if (column.startsWith('flag:')) {
      const q = this.s.flagQuestion.get(column.slice(5)) as string | undefined;
      if (!q) throw new DataError(`unknown flag "${column.slice(5)}" in columns`);
      return q;
    }
    if (column.startsWith('figure:')) {
      const l = this.s.measureLabel.get(column.slice(7)) as string | undefined;
      if (!l) throw new DataError(`unknown measure "${column.slice(7)}" in columns`);
      return l;
    }
    switch (column) {
      case 'grant': return 'Name of grant';
      case 'programme': return 'Programme';
      case 'amount': return 'Grant amount';
      case 'provider': return 'Service provider';
      case 'recipient': return 'Recipient';
      case 'funder': return 'Funder';
      case 'services': return 'Services provided';
      case 'description': return 'Description';
      case 'operating-in': return 'Operating in';
      case 'financial-year': return 'Financial year';
      case 'source': return 'Source';
      case 'outcome': {
        const label = themeName ? (this.s.themeLabel.get(themeName) as string | undefined) : undefined;
        return label ? `${label} outcome` : 'Outcome';
      }
      default: throw new DataError(`unknown column "${column}"`);
    }
  }

  cell(column: string, grantId: string, lines: GrantRow[], themeName: string | null, body: BodyView): string {
    const d = this.detail(grantId);
    const notStated = 'Not stated';
    if (column.startsWith('flag:')) {
      const v = this.s.flag.get(grantId, column.slice(5)) as string | undefined;
      return v === 'y' ? 'Y' : v === 'n' ? 'N' : 'Not known';
    }
    if (column.startsWith('figure:')) {
      const fyStart = lines[0].fyStart ?? -1;
      const f = this.s.figure.get(grantId, column.slice(7), fyStart) as { status: string; n: number | null; t: string | null; wording: string | null } | undefined;
      if (!f || f.status === 'unknown') return 'Not known';
      if (f.status === 'not_held') return f.wording ?? `${body.shortName} does not hold this data`;
      if (f.status === 'not_applicable') return f.wording ?? 'N/A';
      return f.n !== null ? f.n.toLocaleString('en-GB') : f.t ?? '';
    }
    switch (column) {
      case 'grant': return d.title;
      case 'programme': return d.programme ?? notStated;
      case 'amount': return amountCell(lines);
      case 'provider': {
        const recipients = distinct(lines.map((l) => l.recipient));
        const partners = this.s.partners.all(grantId) as { name: string; role: string | null }[];
        if (partners.length) return partners.map((p) => (p.role ? `${p.name} (${p.role})` : p.name)).join('; ');
        return recipients[0] ?? d.recipient ?? notStated;
      }
      case 'recipient': return distinct(lines.map((l) => l.recipient)).join('; ') || d.recipient || notStated;
      case 'funder': return distinct(lines.map((l) => l.funder)).join('; ') || notStated;
      case 'services': return d.services ?? d.description ?? notStated;
      case 'description': return d.description ?? notStated;
      case 'operating-in': return (this.s.locations.all(grantId) as string[]).join(', ') || notStated;
      case 'financial-year': return distinct(lines.map((l) => l.financialYear ?? l.period)).join(', ') || notStated;
      case 'source': return distinct(lines.map((l) => l.sourceRef)).join('; ') || d.sourceRef || notStated;
      case 'outcome': {
        if (!themeName) return notStated;
        return (this.s.outcome.get(grantId, themeName) as string | null | undefined) ?? notStated;
      }
      default: throw new DataError(`unknown column "${column}"`);
    }
  }
}

function distinct(values: (string | null)[]): string[] {
  return [...new Set(values.filter((v): v is string => !!v))];
}

function lineAmount(l: GrantRow): string {
  if (l.amountPence === null) return l.amountStatus === 'not_held' ? 'not held' : 'amount not stated';
  return (l.basis === 'maximum' ? 'up to ' : '') + formatMoney(l.amountPence);
}

/**
 * A grant's amount in one table row: one line as it is; lines from different funders per funder
 * as the seed letters write co-funding (`£209,052 (Home Office Grant) £130,996 (LBBD Match Fund)`);
 * lines split between recipients as their sum.
 */
function amountCell(lines: GrantRow[]): string {
  if (lines.length === 1) return lineAmount(lines[0]);
  const funders = distinct(lines.map((l) => l.stream ?? l.funder));
  const recipients = distinct(lines.map((l) => l.recipient));
  if (funders.length > 1 && recipients.length <= 1) return lines.map((l) => `${lineAmount(l)} (${l.stream ?? l.funder ?? 'funder not stated'})`).join(' ');
  if (lines.some((l) => l.amountPence === null)) return lines.map(lineAmount).join(' + ');
  const total = lines.reduce((a, l) => a + (l.amountPence ?? 0), 0);
  return (lines.every((l) => l.basis === 'maximum') ? 'up to ' : '') + formatMoney(total);
}
