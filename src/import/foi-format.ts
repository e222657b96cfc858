/**
 * The register's own source format (foi-register/1), in YAML or JSON: MOPAC-style records that
 * 360Giving cannot express (yearly budgets, split awards, co-funding, variations, figures, flags,
 * outcomes, stated totals). The embedded register data/mopac-register.yaml is in this format.
 * Parsed once into typed values; every problem becomes an Issue with the path and line.
 */
import { LineCounter, parseDocument, isNode, isScalar } from 'yaml';
import { parseMoney } from '../core/money.js';
import { parseDate } from '../core/dates.js';
import { tryParseFinancialYear } from '../core/financial-year.js';
import { PERIOD_EXPECTED, tryParsePeriod, type Period } from '../core/period.js';
import {
  ALLOCATION_BASES, type AllocationBasis, type AllocationInput, type FigureInput, type FlagInput, type GrantInput,
  type Issue, type OrgInput, emptyGrant,
} from '../register/types.js';

export interface SourceDef { ref: string; kind: string; title: string | null; date: string | null; url: string | null; document: string | null }
export interface ThemeDef { name: string; label: string }
export interface FlagDef { name: string; question: string }
export interface MeasureDef { name: string; label: string }
export interface StatedTotalDef {
  id: string; sourceRef: string | null; label: string; amountPence: number; tolerancePence: number;
  statedAs: string | null; grantIds: string[]; bases: AllocationBasis[] | null; stream: string | null;
}

export interface FoiRegisterFile {
  sources: SourceDef[];
  organisations: OrgInput[];
  themes: ThemeDef[];
  flags: FlagDef[];
  measures: MeasureDef[];
  grants: GrantInput[];
  totals: StatedTotalDef[];
}

type Path = (string | number)[];

export function isFoiRegisterText(text: string): boolean {
  // At a line's start (YAML, pretty JSON) or just inside the top-level object (compact JSON).
  return /(^|^\s*\{)\s*("?format"?)\s*:\s*"?foi-register\//m.test(text.slice(0, 4096));
}

export function parseFoiRegisterText(text: string, file: string): { data: FoiRegisterFile; issues: Issue[] } {
  const issues: Issue[] = [];
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const data: FoiRegisterFile = { sources: [], organisations: [], themes: [], flags: [], measures: [], grants: [], totals: [] };
  for (const e of doc.errors) {
    const pos = e.linePos?.[0];
    issues.push({ severity: 'error', file, location: pos ? `line ${pos.line}` : 'file', message: `not valid YAML/JSON: ${e.message.split('\n')[0]}` });
  }
  if (issues.length) return { data, issues };
  const root = doc.toJS() as unknown;

  const loc = (p: Path): string => {
    const node = p.length ? doc.getIn(p, true) : doc.contents;
    const where = p.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${k}` : k), '');
    if (isNode(node) && node.range) return `${where || 'top level'} (line ${lc.linePos(node.range[0]).line})`;
    // Missing keys: point at the parent object.
    const parent = p.length > 1 ? doc.getIn(p.slice(0, -1), true) : null;
    if (isNode(parent) && parent.range) return `${where} (in the entry at line ${lc.linePos(parent.range[0]).line})`;
    return where || 'top level';
  };
  const err = (p: Path, message: string, value?: unknown) => {
    const col = p.length ? String(p[p.length - 1]) : null;
    issues.push({ severity: 'error', file, location: loc(p), column: typeof col === 'string' && isNaN(Number(col)) ? col : null, value: value === undefined ? null : typeof value === 'string' ? value : JSON.stringify(value), message });
  };

  if (!isObj(root)) {
    err([], 'expected a mapping with format: foi-register/1');
    return { data, issues };
  }
  if (root.format !== 'foi-register/1') err(['format'], 'expected format: foi-register/1', root.format);
  checkKeys(root, [], ['format', 'sources', 'organisations', 'themes', 'flags', 'measures', 'grants', 'totals'], err);

  // An amount's source text, so that `amount: 0x10` cannot pass as 16.
  const r = new Reader(err, (p) => {
    const node = doc.getIn(p, true);
    return isScalar(node) && typeof node.source === 'string' ? node.source : null;
  });
  for (const [i, s] of r.list(root, ['sources'])) {
    const p: Path = ['sources', i];
    checkKeys(s, p, ['ref', 'kind', 'title', 'date', 'url', 'document'], err);
    const ref = r.str(s, p, 'ref', true);
    if (ref) data.sources.push({ ref, kind: r.str(s, p, 'kind') ?? 'decision', title: r.str(s, p, 'title'), date: r.date(s, p, 'date'), url: r.str(s, p, 'url'), document: r.str(s, p, 'document') });
  }
  for (const [i, o] of r.list(root, ['organisations'])) {
    const p: Path = ['organisations', i];
    checkKeys(o, p, ['id', 'name', 'charityNumber', 'companyNumber', 'locality', 'postcode', 'members'], err);
    const id = r.str(o, p, 'id', true);
    const name = r.str(o, p, 'name', true);
    if (id && name) data.organisations.push({ id, name, charityNumber: r.str(o, p, 'charityNumber'), companyNumber: r.str(o, p, 'companyNumber'), locality: r.str(o, p, 'locality'), postcode: r.str(o, p, 'postcode'), members: r.str(o, p, 'members') });
  }
  for (const [i, t] of r.list(root, ['themes'])) {
    const p: Path = ['themes', i];
    checkKeys(t, p, ['name', 'label'], err);
    const name = r.slug(t, p, 'name');
    if (name) data.themes.push({ name, label: r.str(t, p, 'label') ?? name });
  }
  for (const [i, f] of r.list(root, ['flags'])) {
    const p: Path = ['flags', i];
    checkKeys(f, p, ['name', 'question'], err);
    const name = r.slug(f, p, 'name');
    const question = r.str(f, p, 'question', true);
    if (name && question) data.flags.push({ name, question });
  }
  for (const [i, m] of r.list(root, ['measures'])) {
    const p: Path = ['measures', i];
    checkKeys(m, p, ['name', 'label'], err);
    const name = r.slug(m, p, 'name');
    if (name) data.measures.push({ name, label: r.str(m, p, 'label') ?? name });
  }
  const seenGrant = new Map<string, number>();
  for (const [i, g] of r.list(root, ['grants'])) {
    const p: Path = ['grants', i];
    const grant = readGrant(g, p, r, err);
    if (!grant) continue;
    const prev = seenGrant.get(grant.id);
    if (prev !== undefined) err([...p, 'id'], `duplicate grant id; first used at grants[${prev}]`, grant.id);
    else seenGrant.set(grant.id, i);
    data.grants.push(grant);
  }
  for (const [i, t] of r.list(root, ['totals'])) {
    const p: Path = ['totals', i];
    checkKeys(t, p, ['id', 'source', 'label', 'amount', 'statedAs', 'tolerance', 'grants', 'bases', 'stream'], err);
    const id = r.str(t, p, 'id', true);
    const label = r.str(t, p, 'label', true);
    const amount = r.money(t, p, 'amount', true);
    const grantIds = r.strList(t, p, 'grants', true);
    const bases = t.bases === undefined || t.bases === null ? null : r.strList(t, p, 'bases', true).map((b, j) => {
      if (!ALLOCATION_BASES.includes(b as AllocationBasis)) err([...p, 'bases', j], `unknown basis; expected one of ${ALLOCATION_BASES.join(', ')}`, b);
      return b as AllocationBasis;
    });
    if (id && label && amount !== null) {
      data.totals.push({ id, sourceRef: r.str(t, p, 'source'), label, amountPence: amount, tolerancePence: r.money(t, p, 'tolerance') ?? 0, statedAs: r.str(t, p, 'statedAs'), grantIds, bases, stream: r.str(t, p, 'stream') });
    }
  }
  return { data, issues };
}

const GRANT_KEYS = [
  'id', 'title', 'description', 'services', 'programme', 'amount', 'amountStatus', 'awardDate', 'funder', 'recipient',
  'period', 'planned', 'source', 'document', 'partners', 'locations', 'allocations', 'variations', 'themes', 'flags',
  'figures', 'currency', 'fromOpenCall', 'dataSource',
];

function readGrant(g: Record<string, unknown>, p: Path, r: Reader, err: ErrFn): GrantInput | null {
  checkKeys(g, p, GRANT_KEYS, err);
  const id = r.str(g, p, 'id', true);
  const title = r.str(g, p, 'title', true);
  if (!id || !title) return null;
  const grant = emptyGrant(id, title);
  grant.description = r.str(g, p, 'description');
  grant.services = r.str(g, p, 'services');
  grant.currency = r.str(g, p, 'currency') ?? 'GBP';
  grant.amountAwardedPence = r.money(g, p, 'amount');
  grant.awardDate = r.date(g, p, 'awardDate');
  const period = r.period(g, p, 'period');
  grant.plannedPeriodText = period ? r.str(g, p, 'period') : null;
  grant.sourceRef = r.str(g, p, 'source');
  grant.sourceDocument = r.str(g, p, 'document');
  grant.dataSource = r.str(g, p, 'dataSource');
  const funder = r.str(g, p, 'funder');
  const recipient = r.str(g, p, 'recipient');
  // Organisations are referenced by id; the writer checks that each exists.
  grant.fundingOrg = funder ? { id: funder, name: '' } : null;
  grant.recipientOrg = recipient ? { id: recipient, name: '' } : null;
  if (g.fromOpenCall !== undefined && g.fromOpenCall !== null) {
    const v = String(g.fromOpenCall).toLowerCase();
    if (v === 'y' || v === 'yes' || v === 'true') grant.fromOpenCall = 'y';
    else if (v === 'n' || v === 'no' || v === 'false') grant.fromOpenCall = 'n';
    else err([...p, 'fromOpenCall'], 'expected y or n', g.fromOpenCall);
  }
  if (g.programme !== undefined && g.programme !== null) {
    if (isObj(g.programme)) {
      checkKeys(g.programme, [...p, 'programme'], ['code', 'title'], err);
      grant.programmeCode = r.str(g.programme, [...p, 'programme'], 'code');
      grant.programmeTitle = r.str(g.programme, [...p, 'programme'], 'title');
    } else err([...p, 'programme'], 'expected { code, title }', g.programme);
  }
  if (g.planned !== undefined && g.planned !== null) {
    const pp = [...p, 'planned'];
    if (isObj(g.planned)) {
      checkKeys(g.planned, pp, ['start', 'end', 'months'], err);
      grant.plannedStart = r.date(g.planned, pp, 'start');
      grant.plannedEnd = r.date(g.planned, pp, 'end');
      grant.plannedDurationMonths = r.int(g.planned, pp, 'months');
    } else err(pp, 'expected { start, end, months }', g.planned);
  }
  // A period in words gives the planned dates (at its own precision) when none are stated.
  if (period && !grant.plannedStart && !grant.plannedEnd) {
    grant.plannedStart = period.start;
    grant.plannedEnd = period.end;
  }
  for (const [j, name] of r.list(g, [...p, 'locations'], 'locations', true)) {
    if (typeof name === 'string') grant.beneficiaryLocations.push({ name });
    else err([...p, 'locations', j], 'expected a place name', name);
  }
  for (const [j, pt] of r.list(g, [...p, 'partners'], 'partners')) {
    const q: Path = [...p, 'partners', j];
    checkKeys(pt, q, ['org', 'role'], err);
    const org = r.str(pt, q, 'org', true);
    if (org) grant.partners.push({ orgId: org, role: r.str(pt, q, 'role') });
  }
  const seqs = new Set<number>();
  for (const [j, a] of r.list(g, [...p, 'allocations'], 'allocations')) {
    const q: Path = [...p, 'allocations', j];
    checkKeys(a, q, ['seq', 'fy', 'period', 'amount', 'amountStatus', 'basis', 'recipient', 'funder', 'stream', 'supersedes', 'note', 'footnote', 'source'], err);
    if (a.fy !== undefined && a.period !== undefined) err([...q, 'period'], 'give fy (one financial year) or period (several, or part of one), not both', a.period);
    const seq = r.int(a, q, 'seq') ?? j + 1;
    if (seq !== j + 1) err([...q, 'seq'], `allocations must be numbered 1, 2, 3… in order; expected ${j + 1}`, a.seq);
    seqs.add(seq);
    const basis = r.str(a, q, 'basis', true) as AllocationBasis | null;
    if (basis && !ALLOCATION_BASES.includes(basis)) err([...q, 'basis'], `unknown basis; expected one of ${ALLOCATION_BASES.join(', ')}`, basis);
    const status = r.amountStatus(a, q);
    const amount = status === 'value' ? r.money(a, q, 'amount', true) : null;
    const alloc: AllocationInput = {
      financialYear: r.fy(a, q, 'fy'),
      period: r.period(a, q, 'period'),
      periodText: r.str(a, q, 'period'),
      recipientOrgId: r.str(a, q, 'recipient') ?? grant.recipientOrg?.id ?? null,
      funderOrgId: r.str(a, q, 'funder') ?? grant.fundingOrg?.id ?? null,
      stream: r.str(a, q, 'stream'),
      basis: basis ?? 'award',
      amountPence: amount,
      amountStatus: status,
      supersedes: r.int(a, q, 'supersedes'),
      note: r.str(a, q, 'note'),
      footnote: r.str(a, q, 'footnote'),
      sourceRef: r.str(a, q, 'source') ?? grant.sourceRef,
    };
    if (alloc.supersedes != null && (alloc.supersedes >= seq || !seqs.has(alloc.supersedes))) {
      err([...q, 'supersedes'], 'must name an earlier allocation of this grant by its seq', a.supersedes);
    }
    grant.allocations.push(alloc);
  }
  for (const [j, v] of r.list(g, [...p, 'variations'], 'variations')) {
    const q: Path = [...p, 'variations', j];
    checkKeys(v, q, ['date', 'when', 'description', 'change', 'newTotal', 'source'], err);
    const description = r.str(v, q, 'description', true);
    if (description) grant.variations.push({ date: r.date(v, q, 'date'), whenText: r.str(v, q, 'when'), description, changePence: r.money(v, q, 'change'), newTotalPence: r.money(v, q, 'newTotal'), sourceRef: r.str(v, q, 'source') ?? grant.sourceRef });
  }
  for (const [j, t] of r.list(g, [...p, 'themes'], 'themes')) {
    const q: Path = [...p, 'themes', j];
    checkKeys(t, q, ['theme', 'outcome', 'source'], err);
    const theme = r.str(t, q, 'theme', true);
    if (theme) grant.themes.push({ theme, outcome: r.str(t, q, 'outcome'), sourceRef: r.str(t, q, 'source') ?? grant.sourceRef });
  }
  for (const [j, f] of r.list(g, [...p, 'flags'], 'flags')) {
    const q: Path = [...p, 'flags', j];
    checkKeys(f, q, ['name', 'value', 'evidence', 'source'], err);
    const name = r.str(f, q, 'name', true);
    const raw = f.value === true ? 'y' : f.value === false ? 'n' : String(f.value ?? '').toLowerCase();
    const value = raw === 'y' || raw === 'yes' ? 'y' : raw === 'n' || raw === 'no' ? 'n' : raw === 'unknown' ? 'unknown' : null;
    if (!value) err([...q, 'value'], 'expected y, n or unknown', f.value);
    if (name && value) grant.flags.push({ name, value, evidence: r.str(f, q, 'evidence'), sourceRef: r.str(f, q, 'source') ?? grant.sourceRef } satisfies FlagInput);
  }
  for (const [j, f] of r.list(g, [...p, 'figures'], 'figures')) {
    const q: Path = [...p, 'figures', j];
    checkKeys(f, q, ['fy', 'measure', 'value', 'text', 'notHeld', 'notApplicable', 'unknown', 'source'], err);
    const measure = r.str(f, q, 'measure', true);
    const given = ['value', 'text', 'notHeld', 'notApplicable', 'unknown'].filter((k) => f[k] !== undefined);
    if (given.length !== 1) {
      err(q, `give exactly one of value, text, notHeld (the body's words), notApplicable (the reason) or unknown: true; found ${given.length ? given.join(', ') : 'none'}`);
      continue;
    }
    const fig: FigureInput = { measure: measure ?? '', financialYear: r.fy(f, q, 'fy'), status: 'value', sourceRef: r.str(f, q, 'source') ?? grant.sourceRef };
    if (f.value !== undefined) {
      if (typeof f.value !== 'number' || !Number.isInteger(f.value) || f.value < 0) err([...q, 'value'], 'expected a whole number (0 is a real count; use notHeld or unknown when there is no count)', f.value);
      fig.valueNumber = f.value as number;
    } else if (f.text !== undefined) fig.valueText = r.str(f, q, 'text', true);
    else if (f.notHeld !== undefined) { fig.status = 'not_held'; fig.wording = r.str(f, q, 'notHeld', true); }
    else if (f.notApplicable !== undefined) { fig.status = 'not_applicable'; fig.wording = r.str(f, q, 'notApplicable', true); }
    else fig.status = 'unknown';
    if (measure) grant.figures.push(fig);
  }
  return grant;
}

type ErrFn = (p: Path, message: string, value?: unknown) => void;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkKeys(o: Record<string, unknown>, p: Path, allowed: string[], err: ErrFn): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) err([...p, k], `unknown key "${k}"; expected one of ${allowed.join(', ')}`);
  }
}

/** An unquoted amount must be plain decimal digits (the money parser judges the rest). */
const PLAIN_AMOUNT = /^-?\d+(\.\d+)?$/;

/** Typed field readers that report what was expected. */
class Reader {
  constructor(
    private readonly err: ErrFn,
    /** The source text of the scalar at a path (null when not a scalar). */
    private readonly source: (p: Path) => string | null,
  ) {}

  list(o: Record<string, unknown>, p: Path, key?: string, scalars = false): [number, Record<string, unknown>][] {
    const k = key ?? (p[p.length - 1] as string);
    const v = o[k];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.err(p, 'expected a list', v);
      return [];
    }
    const out: [number, Record<string, unknown>][] = [];
    v.forEach((item, i) => {
      if (scalars) out.push([i, item as Record<string, unknown>]);
      else if (isObj(item)) out.push([i, item]);
      else this.err([...p, i], 'expected a mapping (key: value pairs)', item);
    });
    return out;
  }

  str(o: Record<string, unknown>, p: Path, key: string, required = false): string | null {
    const v = o[key];
    if (v === undefined || v === null || v === '') {
      if (required) this.err([...p, key], `"${key}" is required`);
      return null;
    }
    if (typeof v === 'string') return v.trim();
    if (typeof v === 'number') return String(v);
    this.err([...p, key], 'expected text', v);
    return null;
  }

  slug(o: Record<string, unknown>, p: Path, key: string): string | null {
    const s = this.str(o, p, key, true);
    if (s && !/^[a-z0-9][a-z0-9-]*$/.test(s)) {
      this.err([...p, key], 'expected a lower-case name with hyphens, like non-ex-intimate', s);
      return null;
    }
    return s;
  }

  strList(o: Record<string, unknown>, p: Path, key: string, required = false): string[] {
    const v = o[key];
    if (v === undefined || v === null) {
      if (required) this.err([...p, key], `"${key}" is required`);
      return [];
    }
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      this.err([...p, key], 'expected a list of text values', v);
      return [];
    }
    return v as string[];
  }

  int(o: Record<string, unknown>, p: Path, key: string): number | null {
    const v = o[key];
    if (v === undefined || v === null) return null;
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    this.err([...p, key], 'expected a whole number', v);
    return null;
  }

  money(o: Record<string, unknown>, p: Path, key: string, required = false): number | null {
    const v = o[key];
    if (v === undefined || v === null || v === '') {
      if (required) this.err([...p, key], `"${key}" is required (write "unknown" in amountStatus when the source does not state it)`);
      return null;
    }
    if (typeof v === 'number') {
      // YAML reads 0x10, 0o17, 1e3 and .inf as numbers, and JSON 1e3: none is how a source writes a sum of money.
      const src = this.source([...p, key]);
      if (src !== null && !PLAIN_AMOUNT.test(src.trim())) {
        this.err([...p, key], `an amount is written as the source writes it: ${src} is read as the number ${v}; quote it, e.g. "£1,000"`, src);
        return null;
      }
    }
    const m = parseMoney(v);
    if (!m.ok) {
      this.err([...p, key], `${m.reason}; expected an amount like £1,234.50`, v);
      return null;
    }
    return m.pence;
  }

  amountStatus(o: Record<string, unknown>, p: Path): 'value' | 'unknown' | 'not_held' {
    const v = o.amountStatus;
    if (v === undefined || v === null) return 'value';
    if (v === 'unknown' || v === 'not_held' || v === 'value') return v;
    this.err([...p, 'amountStatus'], 'expected value, unknown or not_held', v);
    return 'value';
  }

  date(o: Record<string, unknown>, p: Path, key: string): string | null {
    let v = o[key];
    if (v === undefined || v === null || v === '') return null;
    if (v instanceof Date) v = v.toISOString().slice(0, 10);
    const d = parseDate(v);
    if (!d.ok) {
      this.err([...p, key], `${d.reason}`, v);
      return null;
    }
    return d.date;
  }

  period(o: Record<string, unknown>, p: Path, key: string): Period | null {
    const v = o[key];
    if (v === undefined || v === null || v === '') return null;
    const period = typeof v === 'string' || typeof v === 'number' ? tryParsePeriod(String(v)) : null;
    if (!period) this.err([...p, key], PERIOD_EXPECTED, v);
    return period;
  }

  fy(o: Record<string, unknown>, p: Path, key: string): number | null {
    const v = o[key];
    if (v === undefined || v === null || v === '') return null;
    const fy = tryParseFinancialYear(String(v));
    if (!fy) {
      this.err([...p, key], 'not a UK financial year; write it as 2017-18', v);
      return null;
    }
    return fy.start;
  }
}
