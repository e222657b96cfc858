/**
 * A 360Giving record for one of the register's own grants (MOPAC-style records from the
 * register's YAML, JSON or foi-lines: no published 360Giving record behind them).
 *
 * The standard's fields come from the grant's columns; everything else it holds goes in the
 * `foi` extension (src/export/extension.ts), so importing the export gives the same grant back.
 * Where the register does not state a field the schema requires, the export fills it in from
 * what the register does state, says how in `foi.derived`, and never invents a figure:
 *
 * - amountAwarded: the stated award; else the sum of the money lines from the grant's own funder
 *   when they are all of one kind: yearly budgets as first set (the originals: a revised budget
 *   is a later change and may carry an underspend re-profiled from another year, which would be
 *   counted twice), awards and allocations, or the funder's grant lines (other funders' match
 *   funding is not added). "Up to" amounts are ceilings and are never added. Lines of several
 *   kinds, a line whose amount is unknown or not held, or only maxima: the grant cannot be
 *   exported (MissingField), and the command says which and why.
 * - awardDate: the stated award date; else the start of the grant's planned dates; else the start
 *   of its earliest money line (a date the money ran from, not a decision date, and `derived`
 *   says so); else it cannot be exported.
 * - recipientOrganization / fundingOrganization: the grant's own; else the recipients (funders)
 *   of its money lines; else a recipient named "Not stated in the register".
 * - description: the register's; else an empty description.
 */
import type { Db } from '../db/open.js';
import { formatFinancialYear } from '../core/financial-year.js';
import { formatMoney } from '../core/money.js';
import { BASIS_LABELS } from '../register/query.js';
import type { AllocationBasis } from '../register/types.js';
import {
  FOI_FORMAT, NOT_STATED_ORG, type ExtFigure, type ExtFlag, type ExtMoneyLine, type ExtOrganisation, type ExtSource, type ExtTheme,
  type ExtVariation, type FoiExtension,
} from './extension.js';

type Row = Record<string, any>;
type Obj = Record<string, unknown>;

/** A required field the register cannot give for a grant: the grant is not exported. */
export class MissingField {
  constructor(readonly grantId: string, readonly field: string, readonly reason: string) {}
}

export interface RegisterRecordOptions {
  /** Include officers' notes on money lines (never printed in letters; left out of open data by default). */
  includeNotes?: boolean;
}

const amount = (pence: number): number => pence / 100;

/** Sets `key` on `o` when `v` is neither null nor undefined nor false nor ''. */
function put<T extends object>(o: T, key: keyof T, v: unknown): void {
  if (v !== null && v !== undefined && v !== false && v !== '') (o as Obj)[key as string] = v;
}

/** Lines of one kind may be added together; lines of different kinds never are. */
const KIND: Record<AllocationBasis, string> = {
  award: 'award', allocation: 'award', budget: 'budget', original: 'budget', revised: 'budget', grant: 'grant', match: 'match', maximum: 'maximum',
};
const KIND_WORDS: Record<string, string> = {
  award: 'the sum of its awards and allocations',
  budget: 'the sum of its yearly budgets as first set (a revised budget is a later change, and may carry money re-profiled from another year)',
  grant: "the sum of its funder's grant lines (other funders' match funding is not added)",
  match: 'the sum of its match funding lines',
};

/**
 * The amount awarded from the money lines of a grant whose register states none: the lines from
 * the grant's own funder (or with no funder), "up to" amounts left out, when they are all of one
 * kind and all stated; budgets as first set (originals, not their revisions), other kinds as they
 * stand. Otherwise why not, in words.
 */
export function derivedAward(g: Row, lines: Row[]): { pence: number; how: string } | string {
  const own = lines.filter((l) => l.basis !== 'maximum' && (!g.funding_org_id || !l.funder_org_id || l.funder_org_id === g.funding_org_id));
  if (!own.length) {
    return lines.length && lines.every((l) => l.basis === 'maximum')
      ? 'the register states no amount awarded, and its money lines are all "up to" amounts (ceilings, not money awarded)'
      : "the register states no amount awarded, and it has no money lines from the grant's funder to add up";
  }
  const kinds = [...new Set(own.map((l) => KIND[l.basis as AllocationBasis]))];
  if (kinds.length > 1) {
    return `the register states no amount awarded, and its money lines are of different kinds (${[...new Set(own.map((l) => BASIS_LABELS[l.basis as AllocationBasis]))].join(', ')}), which are never added together`;
  }
  const use = kinds[0] === 'budget' ? own.filter((l) => l.supersedes_seq === null) : own.filter((l) => l.superseded === 0);
  const unstated = use.filter((l) => l.amount_pence === null);
  if (unstated.length) {
    return `the register states no amount awarded, and ${lineList(unstated.map((l) => l.seq))} ${unstated.length === 1 ? 'has' : 'have'} no stated amount, so the lines do not add up to it`;
  }
  const pence = use.reduce((s, l) => s + (l.amount_pence as number), 0);
  return { pence, how: `not stated in the register: ${KIND_WORDS[kinds[0]]}: ${lineList(use.map((l) => l.seq))}, ${formatMoney(pence, { currency: g.currency, alwaysPence: true })}` };
}

function lineList(seqs: number[]): string {
  const s = seqs.map(String);
  return s.length === 1 ? `money line ${s[0]}` : `money lines ${s.slice(0, -1).join(', ')} and ${s[s.length - 1]}`;
}

/** Reads the register's own grants as 360Giving records. Prepared statements, made once. */
export class RegisterRecords {
  private readonly s;
  private readonly sourceCache = new Map<string, ExtSource | null>();

  constructor(private readonly db: Db, private readonly opts: RegisterRecordOptions = {}) {
    this.s = {
      grant: db.prepare('SELECT * FROM grants WHERE id = ?'),
      org: db.prepare('SELECT * FROM organisation WHERE id = ?'),
      lines: db.prepare('SELECT * FROM allocation WHERE grant_id = ? ORDER BY seq'),
      variations: db.prepare('SELECT * FROM variation WHERE grant_id = ? ORDER BY seq'),
      partners: db.prepare('SELECT org_id, role FROM grant_partner WHERE grant_id = ? ORDER BY seq'),
      locations: db.prepare('SELECT name, country_code, geo_code, geo_code_type FROM grant_location WHERE grant_id = ? ORDER BY seq'),
      classifications: db.prepare('SELECT vocabulary, code, title FROM grant_classification WHERE grant_id = ? ORDER BY seq'),
      themes: db.prepare('SELECT t.theme, d.label, t.outcome, t.source_ref FROM grant_theme t JOIN theme d ON d.name = t.theme WHERE t.grant_id = ? ORDER BY t.theme'),
      flags: db.prepare('SELECT f.flag, d.question, f.value, f.evidence, f.source_ref FROM grant_flag f JOIN flag_def d ON d.name = f.flag WHERE f.grant_id = ? ORDER BY f.flag'),
      figures: db.prepare('SELECT f.*, m.label FROM figure f JOIN measure m ON m.name = f.measure WHERE f.grant_id = ? ORDER BY f.financial_year, f.measure'),
      source: db.prepare('SELECT * FROM source WHERE ref = ?'),
    };
  }

  private source(ref: string): ExtSource | null {
    if (!this.sourceCache.has(ref)) {
      const r = this.s.source.get(ref) as Row | undefined;
      let src: ExtSource | null = null;
      if (r) {
        src = { ref: r.ref, kind: r.kind };
        put(src, 'title', r.title);
        put(src, 'date', r.date);
        put(src, 'url', r.url);
        put(src, 'document', r.document);
      }
      this.sourceCache.set(ref, src);
    }
    return this.sourceCache.get(ref)!;
  }

  private orgOf(id: string): ExtOrganisation {
    const r = this.s.org.get(id) as Row | undefined;
    const o: ExtOrganisation = { id, name: r?.name ?? id };
    if (r) {
      put(o, 'charityNumber', r.charity_number);
      put(o, 'companyNumber', r.company_number);
      put(o, 'locality', r.locality);
      put(o, 'postcode', r.postcode);
      put(o, 'members', r.members);
    }
    return o;
  }

  /** The grant as a 360Giving record with its `foi` extension; a MissingField when it cannot be one. */
  record(id: string): Obj | MissingField {
    const g = this.s.grant.get(id) as Row;
    const lines = this.s.lines.all(id) as Row[];
    const derived: Record<string, string> = {};
    const orgs = new Map<string, ExtOrganisation>();
    const useOrg = (orgId: string | null): string | undefined => {
      if (!orgId) return undefined;
      if (!orgs.has(orgId)) orgs.set(orgId, this.orgOf(orgId));
      return orgId;
    };
    const sourceRefs = new Set<string>();
    const useSource = (ref: string | null): string | undefined => {
      if (!ref) return undefined;
      sourceRefs.add(ref);
      return ref;
    };

    const rec: Obj = { id: g.id, title: g.title };
    if (g.description) rec.description = g.description;
    else {
      rec.description = '';
      derived.description = 'not stated in the register (the schema requires a description; this one is empty)';
    }
    rec.currency = g.currency;

    // amountAwarded: stated, or the sum of like lines from the grant's own funder.
    if (g.amount_awarded_pence !== null) rec.amountAwarded = amount(g.amount_awarded_pence);
    else {
      const got = derivedAward(g, lines);
      if (typeof got === 'string') return new MissingField(id, 'amountAwarded', got);
      rec.amountAwarded = amount(got.pence);
      derived.amountAwarded = got.how;
    }

    // awardDate: stated, or when the grant's money starts.
    if (g.award_date) rec.awardDate = g.award_date;
    else if (g.planned_start) {
      rec.awardDate = g.planned_start;
      derived.awardDate = 'not stated in the register: the start of its planned dates (when the grant runs from, not when it was decided)';
    } else {
      const starts = lines.filter((l) => l.period_start).map((l) => l.period_start as string).sort();
      if (!starts.length) return new MissingField(id, 'awardDate', 'the register states no award date, and neither planned dates nor money lines with a period say when the grant ran');
      rec.awardDate = starts[0];
      derived.awardDate = 'not stated in the register: the start of its earliest money line (when the money runs from, not when it was decided)';
    }

    if (g.planned_start || g.planned_end || g.planned_duration_months !== null) {
      const pd: Obj = {};
      put(pd, 'startDate', g.planned_start);
      put(pd, 'endDate', g.planned_end);
      if (g.planned_duration_months !== null) pd.duration = g.planned_duration_months;
      rec.plannedDates = [pd];
    }

    // Organisations: the grant's own, else its lines', else named as not stated.
    const current = lines.filter((l) => l.superseded === 0 && l.basis !== 'maximum');
    const orgObject = (orgId: string) => {
      const o = orgs.get(useOrg(orgId)!)!;
      const out: Obj = { id: o.id, name: o.name };
      put(out, 'charityNumber', o.charityNumber);
      put(out, 'companyNumber', o.companyNumber);
      put(out, 'addressLocality', o.locality);
      put(out, 'postalCode', o.postcode);
      return out;
    };
    const party = (field: 'recipientOrganization' | 'fundingOrganization', own: string | null, column: 'recipient_org_id' | 'funder_org_id', who: string) => {
      if (own) {
        rec[field] = [orgObject(own)];
        return;
      }
      const fromLines = [...new Set(current.map((l) => l[column] as string | null).filter((x): x is string => !!x))];
      if (fromLines.length) {
        rec[field] = fromLines.map(orgObject);
        derived[field] = `not stated in the register: the ${who}s of its money lines`;
      } else {
        rec[field] = [{ ...NOT_STATED_ORG }];
        derived[field] = `not stated in the register: no ${who} is recorded for this grant`;
      }
    };
    party('recipientOrganization', g.recipient_org_id, 'recipient_org_id', 'recipient');
    party('fundingOrganization', g.funding_org_id, 'funder_org_id', 'funder');

    if (g.programme_code || g.programme_title) {
      const p: Obj = {};
      put(p, 'code', g.programme_code);
      put(p, 'title', g.programme_title);
      rec.grantProgramme = [p];
    }
    const locs = this.s.locations.all(id) as Row[];
    if (locs.length) {
      rec.beneficiaryLocation = locs.map((l) => {
        const o: Obj = { name: l.name };
        put(o, 'countryCode', l.country_code);
        put(o, 'geoCode', l.geo_code);
        put(o, 'geoCodeType', l.geo_code_type);
        return o;
      });
    }
    const cls = this.s.classifications.all(id) as Row[];
    if (cls.length) {
      rec.classifications = cls.map((c) => {
        const o: Obj = {};
        put(o, 'vocabulary', c.vocabulary);
        put(o, 'code', c.code);
        put(o, 'title', c.title);
        return o;
      });
    }
    if (g.from_open_call) rec.fromOpenCall = g.from_open_call === 'y' ? 'Yes' : 'No';
    put(rec, 'dataSource', g.data_source);
    put(rec, 'dateModified', g.date_modified);
    if (g.amount_applied_for_pence !== null) rec.amountAppliedFor = amount(g.amount_applied_for_pence);
    if (g.amount_disbursed_pence !== null) rec.amountDisbursed = amount(g.amount_disbursed_pence);
    if (g.extra_json) Object.assign(rec, JSON.parse(g.extra_json));

    // The extension: everything else the register holds about the grant.
    const ext: FoiExtension = { format: FOI_FORMAT };
    put(ext, 'source', useSource(g.source_ref));
    put(ext, 'services', g.services);
    put(ext, 'plannedPeriod', g.planned_period_text);
    ext.moneyLines = lines.map((l): ExtMoneyLine => {
      const m = { line: l.seq } as ExtMoneyLine;
      if (l.period_text === null && l.period_precision === 'fy' && l.financial_year !== null) m.financialYear = formatFinancialYear(l.financial_year);
      else if (l.period_start) {
        m.period = { start: l.period_start, end: l.period_end, precision: l.period_precision };
        put(m.period, 'text', l.period_text);
      }
      m.basis = l.basis;
      if (l.amount_pence !== null) m.amount = amount(l.amount_pence);
      m.amountStatus = l.amount_status === 'not_held' ? 'not held' : l.amount_status;
      put(m, 'funder', useOrg(l.funder_org_id));
      put(m, 'recipient', useOrg(l.recipient_org_id));
      put(m, 'stream', l.stream);
      put(m, 'supersedes', l.supersedes_seq);
      put(m, 'superseded', l.superseded === 1);
      put(m, 'footnote', l.footnote);
      if (this.opts.includeNotes) put(m, 'note', l.note);
      put(m, 'source', useSource(l.source_ref));
      return m;
    });
    const variations = (this.s.variations.all(id) as Row[]).map((v): ExtVariation => {
      const o: ExtVariation = { description: v.description };
      put(o, 'date', v.date);
      put(o, 'when', v.when_text);
      if (v.change_pence !== null) o.change = amount(v.change_pence);
      if (v.new_total_pence !== null) o.newTotal = amount(v.new_total_pence);
      put(o, 'source', useSource(v.source_ref));
      return o;
    });
    if (variations.length) ext.variations = variations;
    const partners = (this.s.partners.all(id) as Row[]).map((p) => {
      const o: { org: string; role?: string } = { org: useOrg(p.org_id)! };
      put(o, 'role', p.role);
      return o;
    });
    if (partners.length) ext.partners = partners;
    const themes = (this.s.themes.all(id) as Row[]).map((t): ExtTheme => {
      const o: ExtTheme = { theme: t.theme, label: t.label };
      put(o, 'outcome', t.outcome);
      put(o, 'source', useSource(t.source_ref));
      return o;
    });
    if (themes.length) ext.themes = themes;
    const flags = (this.s.flags.all(id) as Row[]).map((f): ExtFlag => {
      const o: ExtFlag = { flag: f.flag, question: f.question, value: f.value };
      put(o, 'evidence', f.evidence);
      put(o, 'source', useSource(f.source_ref));
      return o;
    });
    if (flags.length) ext.flags = flags;
    const figures = (this.s.figures.all(id) as Row[]).map((f): ExtFigure => {
      const status = ({ value: 'value', not_applicable: 'not applicable', not_held: 'not held', unknown: 'unknown' } as const)[f.status as 'value'];
      const o: ExtFigure = { measure: f.measure, label: f.label, status };
      if (f.financial_year !== -1 && f.financial_year !== null) o.financialYear = formatFinancialYear(f.financial_year);
      if (f.value_number !== null) o.value = f.value_number;
      put(o, 'text', f.value_text);
      put(o, 'wording', f.wording);
      put(o, 'source', useSource(f.source_ref));
      return o;
    });
    if (figures.length) ext.figures = figures;
    const sources = [...sourceRefs].map((r) => this.source(r)).filter((s): s is ExtSource => s !== null);
    if (sources.length) ext.sources = sources;
    if (orgs.size) ext.organisations = [...orgs.values()];
    if (Object.keys(derived).length) ext.derived = derived;
    rec.foi = ext;
    return rec;
  }
}
