/**
 * FOI request files (YAML) parsed once into typed values. Unknown keys, a question with no
 * criteria, an unknown outcome or exemption section are errors naming the file and key.
 */
import { readFileSync } from 'node:fs';
import { parseDocument, LineCounter, isNode, type Document } from 'yaml';
import { DataError, UsageError } from '../core/errors.js';
import { parseDate } from '../core/dates.js';
import { tryParseFinancialYear, formatFinancialYear, parseFinancialYearList } from '../core/financial-year.js';
import { parseMoney } from '../core/money.js';
import { ROW_ORDERS, type RowOrder } from '../register/query.js';
import type { QuestionOutcome } from './view-model.js';

/**
 * The exemptions (FOIA) and exceptions (EIR) letters have paragraphs for, keyed by section or
 * regulation as written after "s." or "reg." (`43(2)`, `12(5)(e)`: the request log's form too).
 * Each names its counterpart in the other regime, so a request answered under the wrong one is
 * told which to cite instead.
 */
export const EXEMPTIONS: Record<string, { partial: string; qualified: boolean; title: string; regime: 'foi' | 'eir'; counterpart: string | null }> = {
  '21': { partial: 'exemption-s21', qualified: false, title: 'information accessible to the applicant by other means', regime: 'foi', counterpart: '6(1)(b)' },
  '31': { partial: 'exemption-s31', qualified: true, title: 'law enforcement', regime: 'foi', counterpart: '12(5)(b)' },
  '38': { partial: 'exemption-s38', qualified: true, title: 'health and safety', regime: 'foi', counterpart: '12(5)(a)' },
  '40(2)': { partial: 'exemption-s40-2', qualified: false, title: 'personal information', regime: 'foi', counterpart: '13' },
  '43(2)': { partial: 'exemption-s43-2', qualified: true, title: 'commercial interests', regime: 'foi', counterpart: '12(5)(e)' },
  // Exceptions with no FOIA paragraph here to name instead (their FOIA neighbours, such as s.14,
  // s.22, s.35, s.36 and s.41, are not among this foi's paragraphs).
  '12(4)(c)': { partial: 'exception-r12-4-c', qualified: true, title: 'a request formulated in too general a manner', regime: 'eir', counterpart: null },
  '12(4)(d)': { partial: 'exception-r12-4-d', qualified: true, title: 'material still being completed', regime: 'eir', counterpart: null },
  '12(4)(e)': { partial: 'exception-r12-4-e', qualified: true, title: 'internal communications', regime: 'eir', counterpart: null },
  '12(5)(a)': { partial: 'exception-r12-5-a', qualified: true, title: 'public safety', regime: 'eir', counterpart: '38' },
  '12(5)(b)': { partial: 'exception-r12-5-b', qualified: true, title: 'the course of justice', regime: 'eir', counterpart: '31' },
  '12(5)(c)': { partial: 'exception-r12-5-c', qualified: true, title: 'intellectual property rights', regime: 'eir', counterpart: null },
  '12(5)(d)': { partial: 'exception-r12-5-d', qualified: true, title: 'confidentiality of proceedings', regime: 'eir', counterpart: null },
  '12(5)(f)': { partial: 'exception-r12-5-f', qualified: true, title: 'the interests of the person who provided the information', regime: 'eir', counterpart: null },
  '12(5)(g)': { partial: 'exception-r12-5-g', qualified: true, title: 'protection of the environment', regime: 'eir', counterpart: null },
  '12(5)(e)': { partial: 'exception-r12-5-e', qualified: true, title: 'confidentiality of commercial information', regime: 'eir', counterpart: '43(2)' },
  '13': { partial: 'exception-r13', qualified: false, title: 'personal data', regime: 'eir', counterpart: '40(2)' },
  // Not an exception: the information is already public, so it need not be given in the form asked
  // for; the letter says where it is (reg 6(2)). Counted apart from the exceptions (anyPublished).
  '6(1)(b)': { partial: 'exception-r6-1-b', qualified: false, title: 'information already publicly available', regime: 'eir', counterpart: '21' },
};

/** How a letter cites a section or regulation: "section 43(2)", "regulation 12(5)(e)". */
export function citeExemption(section: string): string {
  return `${EXEMPTIONS[section]?.regime === 'eir' ? 'regulation' : 'section'} ${section}`;
}

export const OUTCOMES: Record<string, QuestionOutcome> = {
  held: 'held', 'partly held': 'partly_held', partly_held: 'partly_held', 'not held': 'not_held', not_held: 'not_held',
  exempt: 'exempt', 'refused cost': 'refused_cost', refused_cost: 'refused_cost', 'refused (cost)': 'refused_cost', cost: 'refused_cost',
};

export interface Criteria {
  /** Financial years as written (normalised to 2017-18): money lines in (or overlapping) these years. */
  fy: string[];
  /** Financial years the grant's planned dates overlap ("running in"), normalised to 2017-18. */
  activeIn: string[];
  themes: string[];
  text: string | null;
  recipient: string | null;
  funder: string | null;
  programme: string | null;
  min: number | null;
  max: number | null;
  flags: Record<string, 'y' | 'n' | 'unknown'>;
  grants: string[];
}

export interface ColumnSpec {
  /** grant, amount, provider, services, outcome, flag:NAME, figure:MEASURE, … */
  column: string;
  header: string | null;
}

export interface ExemptionSpec {
  section: string;
  reason: string | null;
  publishedAt: string | null;
  publicInterestFor: string[];
  publicInterestAgainst: string[];
}

/** One table of an answer: which rows (the question's criteria, refined) and how they are shown. */
export interface TableSpec {
  criteria: Criteria | null;
  columns: ColumnSpec[];
  /** One table per financial year (default when the criteria span several years) or one table. */
  tablePer: 'year' | 'none' | null;
  /** Also show budgets a revision replaced (an original beside the revised budget). */
  includeSuperseded: boolean;
  /** Row order: year (default), name, register (the source document's order) or amount. */
  order: RowOrder;
  /** A co-funded table's total also gives one grand total across funder types. */
  grandTotal: boolean;
  /** A total row under tables of several rows (default true). */
  total: boolean;
  /** A caption printed above the table. */
  caption: string | null;
}

export interface QuestionSpec {
  wording: string;
  criteria: Criteria | null;
  outcome: QuestionOutcome;
  /** The tables that answer it: one from the question's own columns, or its `tables:` list. */
  tables: TableSpec[];
  intro: string | null;
  notHeldText: string | null;
  advice: string | null;
  exemption: ExemptionSpec | null;
  notes: string[];
  /** For outcome columns: which theme's outcome to show (default: the criteria's first theme). */
  outcomeTheme: string | null;
  /**
   * Why a question answered "not held", "exempt" or "refused cost" stands although its criteria
   * match rows in the register (recorded in the answer record). Without it such a question is refused.
   */
  despiteMatches: string | null;
}

export interface RequestSpec {
  reference: string;
  requester: { name: string | null; address: string[] };
  received: string;
  responseDate: string | null;
  template: string | null;
  questions: QuestionSpec[];
  /** `publish: true`: the response goes on the disclosure log (`foi publish`). Absent: not published. */
  publish?: boolean;
  /**
   * `regime: eir`: environmental information, answered under the Environmental Information
   * Regulations 2004. Absent: as the request log says, else the Freedom of Information Act.
   */
  regime?: 'foi' | 'eir';
}

export const COLUMN_KINDS = [
  'grant', 'programme', 'amount', 'basis', 'period', 'provider', 'recipient', 'funder', 'services', 'description', 'outcome',
  'operating-in', 'financial-year', 'source',
] as const;
export const COLUMN_PREFIXES = ['flag:', 'figure:'] as const;

const REQUEST_KEYS = ['reference', 'requester', 'received', 'responseDate', 'template', 'questions', 'publish', 'regime'];
const QUESTION_KEYS = [
  'wording', 'criteria', 'columns', 'outcome', 'tablePer', 'intro', 'notHeldText', 'advice', 'exemption', 'notes', 'outcomeTheme',
  'includeSuperseded', 'order', 'grandTotal', 'total', 'despiteMatches', 'tables',
];
const TABLE_KEYS = ['columns', 'criteria', 'caption', 'tablePer', 'includeSuperseded', 'order', 'grandTotal', 'total'];
const CRITERIA_KEYS = ['fy', 'activeIn', 'theme', 'themes', 'text', 'recipient', 'funder', 'programme', 'min', 'max', 'flags', 'grants'];

/** The request log's facts for a reference (src/log/letters.ts logFacts): a file may then leave them out. */
export type LoggedFacts = (reference: string) => { received: string; wording: string | null } | null;

export function parseRequestFile(path: string, fromLog?: LoggedFacts): RequestSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${path}: ${code === 'ENOENT' ? 'no such request file' : code === 'EISDIR' ? 'a folder, not a request file (foi batch answers a folder of them)' : (e as Error).message}`);
  }
  return parseRequestText(text, path, fromLog);
}

/** Where a key of a request file is, as its errors say: `req.yaml line 3, template`. */
function locate(doc: Document, lc: LineCounter, file: string, path: (string | number)[]): string {
  const node = doc.getIn(path, true);
  const name = path.reduce<string>((a, k) => (typeof k === 'number' ? `${a}[${k}]` : a ? `${a}.${k}` : k), '');
  return isNode(node) && node.range ? `${file} line ${lc.linePos(node.range[0]).line}${name ? `, ${name}` : ''}` : `${file}, ${name || 'top level'}`;
}

/**
 * Where `path` is in the request file `file`, for an error found after parsing (an unknown
 * template is known only when the letter is rendered): `req.yaml line 3, template`.
 */
export function requestFieldAt(file: string, path: (string | number)[]): string {
  const lc = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: lc });
  } catch {
    return `${file}, ${path.join('.')}`;
  }
  return locate(doc, lc, file, path);
}

export function parseRequestText(text: string, file: string, fromLog?: LoggedFacts): RequestSpec {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new DataError(`${file}${e.linePos ? ` line ${e.linePos[0].line}` : ''}: not valid YAML: ${e.message.split('\n')[0]}`);
  }
  const fail = (path: (string | number)[], msg: string): never => {
    throw new DataError(`${locate(doc, lc, file, path)}: ${msg}`);
  };
  const root = doc.toJS() as unknown;
  if (!isObj(root)) return fail([], 'expected a request: reference, received, questions');
  keys(root, [], REQUEST_KEYS, fail);
  const str = (o: Record<string, unknown>, p: (string | number)[], k: string, required = false): string | null => {
    const v = o[k];
    if (v === undefined || v === null || v === '') return required ? fail([...p, k], `"${k}" is required`) : null;
    if (typeof v === 'string') return v.trim();
    if (typeof v === 'number') return String(v);
    return fail([...p, k], 'expected text');
  };
  const date = (o: Record<string, unknown>, p: (string | number)[], k: string, required = false): string | null => {
    const v = o[k];
    if (v === undefined || v === null || v === '') return required ? fail([...p, k], `"${k}" is required (a date like 2019-01-24)`) : null;
    const d = parseDate(v instanceof Date ? v.toISOString().slice(0, 10) : v);
    return d.ok ? d.date : fail([...p, k], d.reason);
  };
  const strList = (o: Record<string, unknown>, p: (string | number)[], k: string): string[] => {
    const v = o[k];
    if (v === undefined || v === null) return [];
    const arr = Array.isArray(v) ? v : [v];
    return arr.map((x, i) => (typeof x === 'string' || typeof x === 'number' ? String(x).trim() : fail([...p, k, i], 'expected text')));
  };

  let requester: RequestSpec['requester'] = { name: null, address: [] };
  // A name is one line wherever it came from: a blank line inside it must not split the salutation.
  const oneLine = (v: string | null) => (v === null ? null : v.replace(/\s+/g, ' ').trim() || null);
  if (typeof root.requester === 'string') requester = { name: oneLine(root.requester), address: [] };
  else if (isObj(root.requester)) {
    keys(root.requester, ['requester'], ['name', 'address'], fail);
    requester = {
      name: oneLine(str(root.requester, ['requester'], 'name')),
      address: strList(root.requester, ['requester'], 'address').map(oneLine).filter((l): l is string => l !== null),
    };
  } else if (root.requester !== undefined && root.requester !== null) fail(['requester'], 'expected a name or { name, address }');

  const logged = fromLog && (typeof root.reference === 'string' || typeof root.reference === 'number') ? fromLog(String(root.reference)) : null;
  const questionsRaw = root.questions;
  if (!Array.isArray(questionsRaw) || questionsRaw.length === 0) fail(['questions'], 'expected a list of one or more questions');
  const questions = (questionsRaw as unknown[]).map((q, i): QuestionSpec => {
    const p = ['questions', i];
    if (!isObj(q)) return fail(p, 'expected a question with wording, criteria, columns and outcome');
    keys(q, p, QUESTION_KEYS, fail);
    const outcomeText = (str(q, p, 'outcome') ?? 'held').toLowerCase();
    const outcome = OUTCOMES[outcomeText] ?? fail([...p, 'outcome'], `unknown outcome "${outcomeText}"; expected held, partly held, not held, exempt or refused cost`);
    const readCriteria = (obj: Record<string, unknown>, cp: (string | number)[]): Criteria => {
      if (!isObj(obj)) fail(cp, 'expected criteria like { fy: [2017-18], theme: stalking }');
      const c = obj;
      keys(c, cp, CRITERIA_KEYS, fail);
      const years = (k: string): string[] => {
        try {
          return parseFinancialYearList(strList(c, cp, k)).map((y) => formatFinancialYear(y));
        } catch (e) {
          return fail([...cp, k], (e as Error).message);
        }
      };
      const flags: Criteria['flags'] = {};
      if (c.flags !== undefined && c.flags !== null) {
        if (!isObj(c.flags)) fail([...cp, 'flags'], 'expected NAME: y or n');
        for (const [name, v] of Object.entries(c.flags as Record<string, unknown>)) {
          const s = v === true ? 'y' : v === false ? 'n' : String(v).toLowerCase();
          flags[name] = s === 'y' || s === 'yes' ? 'y' : s === 'n' || s === 'no' ? 'n' : s === 'unknown' ? 'unknown' : fail([...cp, 'flags', name], 'expected y, n or unknown');
        }
      }
      const money = (k: string) => {
        if (c[k] === undefined || c[k] === null) return null;
        const m = parseMoney(c[k]);
        return m.ok ? m.pence : fail([...cp, k], m.reason);
      };
      return {
        fy: years('fy'), activeIn: years('activeIn'), themes: [...strList(c, cp, 'theme'), ...strList(c, cp, 'themes')], text: str(c, cp, 'text'),
        recipient: str(c, cp, 'recipient'), funder: str(c, cp, 'funder'), programme: str(c, cp, 'programme'),
        min: money('min'), max: money('max'), flags, grants: strList(c, cp, 'grants'),
      };
    };
    const criteriaGiven = (c: Criteria) => c.fy.length || c.activeIn.length || c.themes.length || c.text || c.recipient || c.funder
      || c.programme || c.min !== null || c.max !== null || Object.keys(c.flags).length || c.grants.length;
    let criteria: Criteria | null = null;
    if (q.criteria !== undefined && q.criteria !== null) {
      criteria = readCriteria(q.criteria as Record<string, unknown>, [...p, 'criteria']);
      if (!criteriaGiven(criteria)) fail([...p, 'criteria'], 'the criteria are empty; give at least one of fy, activeIn, theme, text, recipient, funder, programme, min, max, flags, grants');
    }
    if (!criteria && (outcome === 'held' || outcome === 'partly_held')) {
      fail(p, `a ${outcome.replace('_', ' ')} question needs criteria to find the grants (e.g. criteria: { fy: [2017-18], theme: stalking })`);
    }
    const readColumns = (o: Record<string, unknown>, tp: (string | number)[]): ColumnSpec[] | null => {
      const colsRaw = o.columns;
      if (colsRaw === undefined || colsRaw === null) return null;
      if (!Array.isArray(colsRaw)) fail([...tp, 'columns'], 'expected a list of columns');
      return (colsRaw as unknown[]).map((c, j): ColumnSpec => {
        const cp = [...tp, 'columns', j];
        let column: string;
        let header: string | null = null;
        if (typeof c === 'string') column = c.trim();
        else if (isObj(c)) {
          keys(c, cp, ['column', 'header'], fail);
          column = str(c, cp, 'column', true)!;
          header = str(c, cp, 'header');
        } else return fail(cp, 'expected a column name or { column, header }');
        const ok = (COLUMN_KINDS as readonly string[]).includes(column) || COLUMN_PREFIXES.some((pre) => column.startsWith(pre) && column.length > pre.length);
        if (!ok) fail(cp, `unknown column "${column}"; expected one of ${COLUMN_KINDS.join(', ')}, flag:NAME, figure:MEASURE`);
        return { column, header };
      });
    };
    const readTable = (o: Record<string, unknown>, tp: (string | number)[], inherit: TableSpec | null): TableSpec => {
      const bool = (k: string): boolean => {
        const v = o[k];
        if (v === undefined || v === null) return inherit ? (inherit as unknown as Record<string, boolean>)[k] : k === 'total';
        if (typeof v === 'boolean') return v;
        return fail([...tp, k], 'expected true or false');
      };
      const tablePer = str(o, tp, 'tablePer') ?? inherit?.tablePer ?? null;
      if (tablePer !== null && tablePer !== 'year' && tablePer !== 'none') fail([...tp, 'tablePer'], 'expected year or none');
      const order = (str(o, tp, 'order') ?? inherit?.order ?? 'year').toLowerCase();
      if (!(ROW_ORDERS as readonly string[]).includes(order)) fail([...tp, 'order'], `unknown order "${order}"; expected ${ROW_ORDERS.join(', ')} (register: the order of the source document)`);
      let tableCriteria = inherit?.criteria ?? criteria;
      if (inherit && o.criteria !== undefined && o.criteria !== null) {
        // A table's criteria refine the question's: the keys it gives replace the question's.
        const own = readCriteria(o.criteria as Record<string, unknown>, [...tp, 'criteria']);
        const given = Object.keys(o.criteria as object);
        const merged = { ...(criteria as Criteria) } as Record<string, unknown>;
        for (const k of given) merged[k === 'theme' ? 'themes' : k] = (own as unknown as Record<string, unknown>)[k === 'theme' ? 'themes' : k];
        tableCriteria = merged as unknown as Criteria;
      }
      const columns = readColumns(o, tp) ?? inherit?.columns ?? [];
      if (!columns.length && tableCriteria && outcome !== 'not_held') columns.push({ column: 'grant', header: null }, { column: 'amount', header: null });
      return {
        criteria: tableCriteria, columns, tablePer: tablePer as TableSpec['tablePer'], includeSuperseded: bool('includeSuperseded'),
        order: order as RowOrder, grandTotal: bool('grandTotal'), total: bool('total'), caption: inherit ? str(o, tp, 'caption') : null,
      };
    };
    const own = readTable(q, p, null);
    let tables: TableSpec[] = criteria ? [own] : [];
    if (q.tables !== undefined && q.tables !== null) {
      if (!criteria) fail([...p, 'tables'], 'tables need the question\'s criteria to refine (give criteria first)');
      if (!Array.isArray(q.tables) || !q.tables.length) fail([...p, 'tables'], 'expected a list of one or more tables');
      tables = (q.tables as unknown[]).map((t, j) => {
        const tp = [...p, 'tables', j];
        if (!isObj(t)) return fail(tp, 'expected a table: { columns, criteria, caption, tablePer, includeSuperseded, order, grandTotal, total }');
        keys(t, tp, TABLE_KEYS, fail);
        return readTable(t, tp, own);
      });
    }
    let exemption: ExemptionSpec | null = null;
    if (q.exemption !== undefined && q.exemption !== null) {
      const ep = [...p, 'exemption'];
      const e = (typeof q.exemption === 'string' || typeof q.exemption === 'number' ? { section: String(q.exemption) } : q.exemption) as Record<string, unknown>;
      if (!isObj(e)) fail(ep, 'expected { section, reason }');
      keys(e, ep, ['section', 'reason', 'publishedAt', 'publicInterestFor', 'publicInterestAgainst'], fail);
      const section = normaliseSection(str(e, ep, 'section', true)!);
      if (!EXEMPTIONS[section]) fail([...ep, 'section'], `unknown exemption section "${e.section}"; this foi has paragraphs for ${knownExemptions()}`);
      exemption = { section, reason: str(e, ep, 'reason'), publishedAt: str(e, ep, 'publishedAt'), publicInterestFor: strList(e, ep, 'publicInterestFor'), publicInterestAgainst: strList(e, ep, 'publicInterestAgainst') };
      if (section === '21' && !exemption.publishedAt) fail(ep, 'a section 21 exemption must say where the information is published (publishedAt)');
      if (section === '6(1)(b)' && !exemption.publishedAt) fail(ep, 'regulation 6(1)(b) must say where the information is published (publishedAt)');
      // What the EIR require a refusal on these grounds to carry (reg 9, reg 14(4)).
      if (section === '12(4)(d)' && !exemption.reason) fail(ep, 'regulation 12(4)(d) must say who is preparing the information and when it is expected to be finished (reason), as regulation 14(4) requires');
      if (section === '12(4)(c)' && !str(q, p, 'advice')) fail([...p, 'advice'], 'regulation 12(4)(c) needs the advice and assistance given under regulation 9 to make the request more specific (advice)');
    }
    if (outcome === 'exempt' && !exemption) fail([...p, 'exemption'], 'an exempt question must name the exemption (e.g. exemption: { section: 43(2), reason: … })');
    return {
      wording: (str(q, p, 'wording', !(logged?.wording && (questionsRaw as unknown[]).length === 1)) ?? logged!.wording)!, criteria, outcome, tables,
      intro: str(q, p, 'intro'), notHeldText: str(q, p, 'notHeldText'), advice: str(q, p, 'advice'), exemption,
      notes: strList(q, p, 'notes'), outcomeTheme: str(q, p, 'outcomeTheme'), despiteMatches: str(q, p, 'despiteMatches'),
    };
  });
  return {
    reference: str(root, [], 'reference', true)!,
    requester,
    received: (date(root, [], 'received', !logged) ?? logged!.received)!,
    responseDate: date(root, [], 'responseDate'),
    template: str(root, [], 'template'),
    questions,
    // Only when given, so answer records of requests that never say stay byte-identical.
    ...(root.publish === undefined || root.publish === null ? {} : { publish: typeof root.publish === 'boolean' ? root.publish : fail(['publish'], 'expected true or false') }),
    ...(root.regime === undefined || root.regime === null ? {} : { regime: readRegime(root.regime, fail) }),
  };
}

/** `s.43`, `section 43(2)`, `reg 12(5)(e)`, `regulation 13` -> `43(2)`, `12(5)(e)`, `13`. */
export function normaliseSection(s: string): string {
  const t = s.trim().toLowerCase().replace(/^(section|sec\.?|s\.?|regulation|reg\.?|r\.?)\s*/, '').replace(/\s+/g, '');
  if (t === '40' ) return '40(2)';
  if (t === '43') return '43(2)';
  return t;
}

function knownExemptions(): string {
  const of = (regime: 'foi' | 'eir') => Object.keys(EXEMPTIONS).filter((k) => EXEMPTIONS[k].regime === regime);
  return `s.${of('foi').join(', s.')} (Freedom of Information Act) and reg ${of('eir').join(', reg ')} (EIR)`;
}

function readRegime(v: unknown, fail: (p: (string | number)[], m: string) => never): 'foi' | 'eir' {
  const t = typeof v === 'string' ? v.trim().toLowerCase() : '';
  if (t === 'foi' || t === 'foia') return 'foi';
  if (t === 'eir') return 'eir';
  return fail(['regime'], 'expected foi or eir (eir: environmental information, answered under the Environmental Information Regulations 2004)');
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function keys(o: Record<string, unknown>, p: (string | number)[], allowed: string[], fail: (p: (string | number)[], m: string) => never): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) fail([...p, k], `unknown key "${k}"; expected one of ${allowed.join(', ')}`);
}

export { tryParseFinancialYear };
