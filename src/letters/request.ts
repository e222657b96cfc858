/**
 * FOI request files (YAML) parsed once into typed values. Unknown keys, a question with no
 * criteria, an unknown outcome or exemption section are errors naming the file and key.
 */
import { readFileSync } from 'node:fs';
import { parseDocument, LineCounter, isNode } from 'yaml';
import { DataError } from '../core/errors.js';
import { parseDate } from '../core/dates.js';
import { tryParseFinancialYear, formatFinancialYear, parseFinancialYearList } from '../core/financial-year.js';
import { parseMoney } from '../core/money.js';
import type { QuestionOutcome } from './view-model.js';

export const EXEMPTIONS: Record<string, { partial: string; qualified: boolean; title: string }> = {
  '21': { partial: 'exemption-s21', qualified: false, title: 'information accessible to the applicant by other means' },
  '31': { partial: 'exemption-s31', qualified: true, title: 'law enforcement' },
  '38': { partial: 'exemption-s38', qualified: true, title: 'health and safety' },
  '40(2)': { partial: 'exemption-s40-2', qualified: false, title: 'personal information' },
  '43(2)': { partial: 'exemption-s43-2', qualified: true, title: 'commercial interests' },
};

export const OUTCOMES: Record<string, QuestionOutcome> = {
  held: 'held', 'partly held': 'partly_held', partly_held: 'partly_held', 'not held': 'not_held', not_held: 'not_held',
  exempt: 'exempt', 'refused cost': 'refused_cost', refused_cost: 'refused_cost', 'refused (cost)': 'refused_cost', cost: 'refused_cost',
};

export interface Criteria {
  /** Financial years as written (normalised to 2017-18). */
  fy: string[];
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

export interface QuestionSpec {
  wording: string;
  criteria: Criteria | null;
  columns: ColumnSpec[];
  outcome: QuestionOutcome;
  /** One table per financial year (default when the criteria span several years) or one table. */
  tablePer: 'year' | 'none' | null;
  intro: string | null;
  notHeldText: string | null;
  advice: string | null;
  exemption: ExemptionSpec | null;
  notes: string[];
  /** For outcome columns: which theme's outcome to show (default: the criteria's first theme). */
  outcomeTheme: string | null;
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
}

export const COLUMN_KINDS = [
  'grant', 'programme', 'amount', 'provider', 'recipient', 'funder', 'services', 'description', 'outcome',
  'operating-in', 'financial-year', 'source',
] as const;
export const COLUMN_PREFIXES = ['flag:', 'figure:'] as const;

const REQUEST_KEYS = ['reference', 'requester', 'received', 'responseDate', 'template', 'questions', 'publish'];
const QUESTION_KEYS = ['wording', 'criteria', 'columns', 'outcome', 'tablePer', 'intro', 'notHeldText', 'advice', 'exemption', 'notes', 'outcomeTheme'];
const CRITERIA_KEYS = ['fy', 'theme', 'themes', 'text', 'recipient', 'funder', 'programme', 'min', 'max', 'flags', 'grants'];

export function parseRequestFile(path: string): RequestSpec {
  return parseRequestText(readFileSync(path, 'utf8'), path);
}

export function parseRequestText(text: string, file: string): RequestSpec {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new DataError(`${file}${e.linePos ? ` line ${e.linePos[0].line}` : ''}: not valid YAML: ${e.message.split('\n')[0]}`);
  }
  const at = (path: (string | number)[]): string => {
    const node = doc.getIn(path, true);
    const name = path.reduce<string>((a, k) => (typeof k === 'number' ? `${a}[${k}]` : a ? `${a}.${k}` : k), '');
    return isNode(node) && node.range ? `${file} line ${lc.linePos(node.range[0]).line}, ${name}` : `${file}, ${name || 'top level'}`;
  };
  const fail = (path: (string | number)[], msg: string): never => {
    throw new DataError(`${at(path)}: ${msg}`);
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
  if (typeof root.requester === 'string') requester = { name: root.requester.trim(), address: [] };
  else if (isObj(root.requester)) {
    keys(root.requester, ['requester'], ['name', 'address'], fail);
    requester = { name: str(root.requester, ['requester'], 'name'), address: strList(root.requester, ['requester'], 'address') };
  } else if (root.requester !== undefined && root.requester !== null) fail(['requester'], 'expected a name or { name, address }');

  const questionsRaw = root.questions;
  if (!Array.isArray(questionsRaw) || questionsRaw.length === 0) fail(['questions'], 'expected a list of one or more questions');
  const questions = (questionsRaw as unknown[]).map((q, i): QuestionSpec => {
    const p = ['questions', i];
    if (!isObj(q)) return fail(p, 'expected a question with wording, criteria, columns and outcome');
    keys(q, p, QUESTION_KEYS, fail);
    const outcomeText = (str(q, p, 'outcome') ?? 'held').toLowerCase();
    const outcome = OUTCOMES[outcomeText] ?? fail([...p, 'outcome'], `unknown outcome "${outcomeText}"; expected held, partly held, not held, exempt or refused cost`);
    let criteria: Criteria | null = null;
    if (q.criteria !== undefined && q.criteria !== null) {
      const cp = [...p, 'criteria'];
      if (!isObj(q.criteria)) fail(cp, 'expected criteria like { fy: [2017-18], theme: stalking }');
      const c = q.criteria as Record<string, unknown>;
      keys(c, cp, CRITERIA_KEYS, fail);
      const fyRaw = strList(c, cp, 'fy');
      let fy: string[] = [];
      try {
        fy = parseFinancialYearList(fyRaw).map((y) => formatFinancialYear(y));
      } catch (e) {
        fail([...cp, 'fy'], (e as Error).message);
      }
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
      criteria = {
        fy, themes: [...strList(c, cp, 'theme'), ...strList(c, cp, 'themes')], text: str(c, cp, 'text'),
        recipient: str(c, cp, 'recipient'), funder: str(c, cp, 'funder'), programme: str(c, cp, 'programme'),
        min: money('min'), max: money('max'), flags, grants: strList(c, cp, 'grants'),
      };
      const any = criteria.fy.length || criteria.themes.length || criteria.text || criteria.recipient || criteria.funder
        || criteria.programme || criteria.min !== null || criteria.max !== null || Object.keys(flags).length || criteria.grants.length;
      if (!any) fail(cp, 'the criteria are empty; give at least one of fy, theme, text, recipient, funder, programme, min, max, flags, grants');
    }
    if (!criteria && (outcome === 'held' || outcome === 'partly_held')) {
      fail(p, `a ${outcome.replace('_', ' ')} question needs criteria to find the grants (e.g. criteria: { fy: [2017-18], theme: stalking })`);
    }
    const columns: ColumnSpec[] = [];
    const colsRaw = q.columns;
    if (colsRaw !== undefined && colsRaw !== null) {
      if (!Array.isArray(colsRaw)) fail([...p, 'columns'], 'expected a list of columns');
      (colsRaw as unknown[]).forEach((c, j) => {
        const cp = [...p, 'columns', j];
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
        columns.push({ column, header });
      });
    }
    if (criteria && !columns.length && outcome !== 'not_held') columns.push({ column: 'grant', header: null }, { column: 'amount', header: null });
    let exemption: ExemptionSpec | null = null;
    if (q.exemption !== undefined && q.exemption !== null) {
      const ep = [...p, 'exemption'];
      const e = (typeof q.exemption === 'string' || typeof q.exemption === 'number' ? { section: String(q.exemption) } : q.exemption) as Record<string, unknown>;
      if (!isObj(e)) fail(ep, 'expected { section, reason }');
      keys(e, ep, ['section', 'reason', 'publishedAt', 'publicInterestFor', 'publicInterestAgainst'], fail);
      const section = normaliseSection(str(e, ep, 'section', true)!);
      if (!EXEMPTIONS[section]) fail([...ep, 'section'], `unknown exemption section "${e.section}"; this foi has paragraphs for s.${Object.keys(EXEMPTIONS).join(', s.')}`);
      exemption = { section, reason: str(e, ep, 'reason'), publishedAt: str(e, ep, 'publishedAt'), publicInterestFor: strList(e, ep, 'publicInterestFor'), publicInterestAgainst: strList(e, ep, 'publicInterestAgainst') };
      if (section === '21' && !exemption.publishedAt) fail(ep, 'a section 21 exemption must say where the information is published (publishedAt)');
    }
    if (outcome === 'exempt' && !exemption) fail([...p, 'exemption'], 'an exempt question must name the exemption (e.g. exemption: { section: 43(2), reason: … })');
    const tablePer = str(q, p, 'tablePer');
    if (tablePer !== null && tablePer !== 'year' && tablePer !== 'none') fail([...p, 'tablePer'], 'expected year or none');
    return {
      wording: str(q, p, 'wording', true)!, criteria, columns, outcome, tablePer: tablePer as QuestionSpec['tablePer'],
      intro: str(q, p, 'intro'), notHeldText: str(q, p, 'notHeldText'), advice: str(q, p, 'advice'), exemption,
      notes: strList(q, p, 'notes'), outcomeTheme: str(q, p, 'outcomeTheme'),
    };
  });
  return {
    reference: str(root, [], 'reference', true)!,
    requester,
    received: date(root, [], 'received', true)!,
    responseDate: date(root, [], 'responseDate'),
    template: str(root, [], 'template'),
    questions,
    // Only when given, so answer records of requests that never say stay byte-identical.
    ...(root.publish === undefined || root.publish === null ? {} : { publish: typeof root.publish === 'boolean' ? root.publish : fail(['publish'], 'expected true or false') }),
  };
}

export function normaliseSection(s: string): string {
  const t = s.trim().toLowerCase().replace(/^(section|s\.?)\s*/, '').replace(/\s+/g, '');
  if (t === '40' ) return '40(2)';
  if (t === '43') return '43(2)';
  return t;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function keys(o: Record<string, unknown>, p: (string | number)[], allowed: string[], fail: (p: (string | number)[], m: string) => never): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) fail([...p, k], `unknown key "${k}"; expected one of ${allowed.join(', ')}`);
}

export { tryParseFinancialYear };
