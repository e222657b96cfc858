/**
 * Writes typed records into the register with prepared statements only. Idempotent by grant id:
 * a record whose content hash is unchanged is skipped; a changed one becomes the grant's next
 * version, and the previous version is kept whole (src/register/history.ts) with what changed.
 * The caller owns the transaction (imports are all-or-nothing) and starts a change set per file.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../db/open.js';
import { financialYearOfDate } from '../core/financial-year.js';
import { fyPeriod, periodFinancialYears, tryParsePeriod, type Period } from '../core/period.js';
import type { AllocationInput, GrantInput, Issue, OrgInput } from './types.js';
import { OrgSnapshots } from './org-snapshots.js';
import { HistoryWriter, diffSnapshots, withoutDerivedEchoes, type ChangeKind, type GrantChangeReport, type Snapshot } from './history.js';
import type { FlagDef, MeasureDef, SourceDef, StatedTotalDef, ThemeDef } from '../import/foi-format.js';

export type WriteOutcome = 'inserted' | 'updated' | 'unchanged';

interface Existing {
  rowid: number; hash: string; position: number | null; document: string | null; version: number;
  changedAt: string | null; changeId: number | null; createdChange: number | null; withdrawnAt: string | null;
}

export class RegisterWriter {
  private readonly s;
  /** Organisations already written in this run, by id -> canonical JSON, to skip repeats cheaply. */
  private readonly orgsSeen = new Map<string, string>();
  /** Each 360Giving grant's organisations as published. */
  private readonly snapshots: OrgSnapshots;
  private readonly known = { themes: new Set<string>(), flags: new Set<string>(), measures: new Set<string>(), sources: new Set<string>() };

  readonly history: HistoryWriter;
  /** What changed in the current change set, grant by grant (for the import report). */
  changes: GrantChangeReport[] = [];

  constructor(private readonly db: Db) {
    this.snapshots = new OrgSnapshots(db);
    this.history = new HistoryWriter(db);
    this.s = {
      hashOf: db.prepare(`SELECT rowid AS rowid, content_hash AS hash, source_position AS position, source_document AS document, version,
        changed_at AS changedAt, change_id AS changeId, created_change AS createdChange, withdrawn_at AS withdrawnAt FROM grants WHERE id = ?`),
      setProvenance: db.prepare('UPDATE grants SET source_position = ?, source_document = ?, seen_change = ? WHERE rowid = ?'),
      setSeen: db.prepare('UPDATE grants SET seen_change = ? WHERE rowid = ?'),
      setWithdrawn: db.prepare('UPDATE grants SET withdrawn_at = ?, version = ?, changed_at = ?, change_id = ? WHERE id = ?'),
      deleteGrant: db.prepare('DELETE FROM grants WHERE id = ?'),
      deleteFts: db.prepare('DELETE FROM grant_fts WHERE rowid = ?'),
      insertGrant: db.prepare(`INSERT INTO grants (id, title, description, currency, amount_awarded_pence, award_date,
        planned_start, planned_end, planned_duration_months, planned_period_text, programme_code, programme_title,
        funding_org_id, recipient_org_id, from_open_call, date_modified, services, data_source, source_ref,
        source_document, extra_json, content_hash, source_position, amount_applied_for_pence, amount_disbursed_pence, published_json,
        recipient_snapshot_id, funder_snapshot_id, rowid, version, changed_at, change_id, created_change, seen_change)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      insertOrgName: db.prepare('INSERT OR IGNORE INTO organisation_name (org_id, name) VALUES (?, ?)'),
      insertAllocation: db.prepare(`INSERT INTO allocation (grant_id, seq, grant_rowid, financial_year, period_text, recipient_org_id,
        funder_org_id, stream, basis, amount_pence, amount_status, supersedes_seq, superseded, note, source_ref,
        period_start, period_end, period_precision, fy_from, fy_to, footnote)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      insertVariation: db.prepare(`INSERT INTO variation (grant_id, seq, date, when_text, description, change_pence,
        new_total_pence, source_ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      insertPartner: db.prepare('INSERT INTO grant_partner (grant_id, seq, org_id, role) VALUES (?, ?, ?, ?)'),
      insertLocation: db.prepare(`INSERT INTO grant_location (grant_id, seq, name, country_code, geo_code, geo_code_type)
        VALUES (?, ?, ?, ?, ?, ?)`),
      insertClassification: db.prepare('INSERT INTO grant_classification (grant_id, seq, vocabulary, code, title) VALUES (?, ?, ?, ?, ?)'),
      insertTheme: db.prepare('INSERT INTO grant_theme (grant_id, theme, outcome, source_ref) VALUES (?, ?, ?, ?)'),
      insertFlag: db.prepare('INSERT INTO grant_flag (grant_id, flag, value, evidence, source_ref) VALUES (?, ?, ?, ?, ?)'),
      insertFigure: db.prepare(`INSERT INTO figure (grant_id, measure, financial_year, status, value_number, value_text,
        wording, source_ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      insertFts: db.prepare('INSERT INTO grant_fts (rowid, grant_id, title, description, outcomes) VALUES (?, ?, ?, ?, ?)'),
      upsertOrg: db.prepare(`INSERT INTO organisation (id, name, charity_number, company_number, locality, postcode, members, changed_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(id) DO UPDATE SET name = excluded.name,
          charity_number = coalesce(excluded.charity_number, charity_number),
          company_number = coalesce(excluded.company_number, company_number),
          locality = coalesce(excluded.locality, locality), postcode = coalesce(excluded.postcode, postcode),
          members = coalesce(excluded.members, members), changed_at = excluded.changed_at`),
      orgRow: db.prepare('SELECT name, charity_number, company_number, locality, postcode, members FROM organisation WHERE id = ?'),
      orgExists: db.prepare('SELECT 1 FROM organisation WHERE id = ?'),
      upsertSource: db.prepare(`INSERT INTO source (ref, kind, title, date, url, document) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT(ref) DO UPDATE SET kind = excluded.kind, title = excluded.title, date = excluded.date, url = excluded.url,
          document = excluded.document`),
      upsertTheme: db.prepare('INSERT INTO theme (name, label) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET label = excluded.label'),
      upsertFlag: db.prepare('INSERT INTO flag_def (name, question) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET question = excluded.question'),
      upsertMeasure: db.prepare('INSERT INTO measure (name, label) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET label = excluded.label'),
      upsertTotal: db.prepare(`INSERT INTO stated_total (id, source_ref, label, amount_pence, tolerance_pence, stated_as, grant_ids, bases, stream)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(id) DO UPDATE SET source_ref = excluded.source_ref, label = excluded.label, amount_pence = excluded.amount_pence,
          tolerance_pence = excluded.tolerance_pence, stated_as = excluded.stated_as, grant_ids = excluded.grant_ids,
          bases = excluded.bases, stream = excluded.stream`),
      themes: db.prepare('SELECT name FROM theme'),
      flags: db.prepare('SELECT name FROM flag_def'),
      measures: db.prepare('SELECT name FROM measure'),
      sources: db.prepare('SELECT ref FROM source'),
    };
    for (const r of this.s.themes.pluck().all() as string[]) this.known.themes.add(r);
    for (const r of this.s.flags.pluck().all() as string[]) this.known.flags.add(r);
    for (const r of this.s.measures.pluck().all() as string[]) this.known.measures.add(r);
    for (const r of this.s.sources.pluck().all() as string[]) this.known.sources.add(r);
  }

  writeSource(s: SourceDef): void {
    this.s.upsertSource.run(s.ref, s.kind, s.title, s.date, s.url, s.document);
    this.known.sources.add(s.ref);
  }
  writeTheme(t: ThemeDef): void {
    this.s.upsertTheme.run(t.name, t.label);
    this.known.themes.add(t.name);
  }
  writeFlag(f: FlagDef): void {
    this.s.upsertFlag.run(f.name, f.question);
    this.known.flags.add(f.name);
  }
  writeMeasure(m: MeasureDef): void {
    this.s.upsertMeasure.run(m.name, m.label);
    this.known.measures.add(m.name);
  }
  writeTotal(t: StatedTotalDef): string | null {
    if (t.sourceRef && !this.known.sources.has(t.sourceRef)) return `unknown source "${t.sourceRef}"`;
    this.s.upsertTotal.run(t.id, t.sourceRef, t.label, t.amountPence, t.tolerancePence, t.statedAs,
      JSON.stringify(t.grantIds), t.bases ? JSON.stringify(t.bases) : null, t.stream);
    return null;
  }

  writeOrg(o: OrgInput): void {
    // A plain join is enough to tell whether this organisation's details changed (and is cheap:
    // a big import meets the same funder on every row).
    const key = `${o.name}\u0001${o.charityNumber ?? ''}\u0001${o.companyNumber ?? ''}\u0001${o.locality ?? ''}\u0001${o.postcode ?? ''}\u0001${o.members ?? ''}`;
    if (this.orgsSeen.get(o.id) === key) return;
    // The shared view keeps what it knew unless told otherwise (coalesce); its old row is kept
    // as history when this changes it.
    const old = this.s.orgRow.get(o.id) as Record<string, string | null> | undefined;
    const merged = {
      name: o.name, charity_number: o.charityNumber ?? old?.charity_number ?? null, company_number: o.companyNumber ?? old?.company_number ?? null,
      locality: o.locality ?? old?.locality ?? null, postcode: o.postcode ?? old?.postcode ?? null, members: o.members ?? old?.members ?? null,
    };
    const kept = this.history.keepOrganisation(o.id, merged);
    if (!kept.changed) {
      this.orgsSeen.set(o.id, key);
      return;
    }
    this.s.upsertOrg.run(o.id, o.name, o.charityNumber ?? null, o.companyNumber ?? null, o.locality ?? null, o.postcode ?? null, o.members ?? null, kept.at);
    this.s.insertOrgName.run(o.id, o.name);
    this.orgsSeen.set(o.id, key);
  }

  /**
   * Checks references a grant makes (organisations by id, themes, flags, measures, sources) and
   * returns problems as messages; an empty list means the grant can be written.
   */
  checkReferences(g: GrantInput): string[] {
    const problems: string[] = [];
    const org = (id: string | null | undefined, what: string) => {
      if (!id) return;
      if (this.orgsSeen.has(id) || this.s.orgExists.get(id)) return;
      problems.push(`${what}: unknown organisation "${id}"; define it under organisations`);
    };
    // 360Giving records carry org names and are written as they come; foi-register ones refer by id.
    if (g.fundingOrg && !g.fundingOrg.name) org(g.fundingOrg.id, 'funder');
    if (g.recipientOrg && !g.recipientOrg.name) org(g.recipientOrg.id, 'recipient');
    g.allocations.forEach((a, i) => {
      org(a.recipientOrgId, `allocations[${i}].recipient`);
      org(a.funderOrgId, `allocations[${i}].funder`);
      if (a.sourceRef && !this.known.sources.has(a.sourceRef)) problems.push(`allocations[${i}].source: unknown source "${a.sourceRef}"`);
    });
    g.partners.forEach((p, i) => org(p.orgId, `partners[${i}].org`));
    const list = (set: Set<string>) => [...set].sort().join(', ') || 'none defined';
    for (const t of g.themes) if (!this.known.themes.has(t.theme)) problems.push(`unknown theme "${t.theme}" (known: ${list(this.known.themes)})`);
    for (const f of g.flags) if (!this.known.flags.has(f.name)) problems.push(`unknown flag "${f.name}" (known: ${list(this.known.flags)})`);
    for (const f of g.figures) if (!this.known.measures.has(f.measure)) problems.push(`unknown measure "${f.measure}" (known: ${list(this.known.measures)})`);
    if (g.sourceRef && !this.known.sources.has(g.sourceRef)) problems.push(`unknown source "${g.sourceRef}" (known: ${list(this.known.sources)})`);
    return problems;
  }

  /** Start a change set: an import of one file, a prune or a command. */
  startChange(kind: ChangeKind, details: { file?: string | null; sha256?: string | null; command?: string | null } = {}): void {
    this.history.start(kind, details);
    this.changes = [];
  }

  writeGrant(g: GrantInput): WriteOutcome {
    const hash = contentHash(g);
    const change = this.history.change();
    const existing = this.s.hashOf.get(g.id) as Existing | undefined;
    if (existing && existing.hash === hash && existing.withdrawnAt === null) {
      // Where a record sits, and in which file, is provenance, not content: the grant is unchanged.
      const position = g.position ?? null;
      if (existing.position !== position || existing.document !== g.sourceDocument) this.s.setProvenance.run(position, g.sourceDocument, change.id, existing.rowid);
      else this.s.setSeen.run(change.id, existing.rowid);
      return 'unchanged';
    }
    let before: Snapshot | null = null;
    if (existing) {
      // The version being replaced is kept whole, with the time it stops being current.
      before = this.history.snapshots.of(g.id);
      this.history.keepVersion(g.id, existing.version, existing.changedAt, before!);
      this.s.deleteFts.run(existing.rowid);
      this.s.deleteGrant.run(g.id);
    }
    const version = existing ? existing.version + 1 : 1;
    if (g.fundingOrg?.name) this.writeOrg(g.fundingOrg);
    if (g.recipientOrg?.name) this.writeOrg(g.recipientOrg);
    for (const o of g.otherOrgs ?? []) this.writeOrg(o);
    const snapshot = g.moreOrgs ? this.snapshots.ids(g.recipientOrg, g.fundingOrg, g.moreOrgs) : null;
    const info = this.s.insertGrant.run(
      g.id, g.title, g.description, g.currency, g.amountAwardedPence, g.awardDate, g.plannedStart, g.plannedEnd,
      g.plannedDurationMonths, g.plannedPeriodText ?? null, g.programmeCode, g.programmeTitle, g.fundingOrg?.id ?? null,
      g.recipientOrg?.id ?? null, g.fromOpenCall, g.dateModified, g.services ?? null, g.dataSource, g.sourceRef,
      g.sourceDocument, Object.keys(g.extra).length ? JSON.stringify(g.extra) : null, hash, g.position ?? null,
      g.amountAppliedForPence ?? null, g.amountDisbursedPence ?? null, g.asPublished ? JSON.stringify(g.asPublished) : null,
      snapshot?.recipients[0] ?? null, snapshot?.funders[0] ?? null,
      // Same rowid as before: listings and the full-text index join on it.
      existing?.rowid ?? null, version, change.at, change.id, existing ? existing.createdChange : change.id, change.id,
    );
    if (snapshot) this.snapshots.writeMore(g.id, snapshot);
    const allocations = g.allocations.length ? g.allocations : derivedAward(g);
    const superseded = new Set(allocations.map((a) => a.supersedes).filter((s): s is number => s != null));
    allocations.forEach((a, i) => {
      const span = lineSpan(a);
      this.s.insertAllocation.run(g.id, i + 1, info.lastInsertRowid, span.financialYear, a.periodText ?? null, a.recipientOrgId, a.funderOrgId,
        a.stream ?? null, a.basis, a.amountPence, a.amountStatus, a.supersedes ?? null, superseded.has(i + 1) ? 1 : 0,
        a.note ?? null, a.sourceRef ?? null, span.period?.start ?? null, span.period?.end ?? null, span.period?.precision ?? null,
        span.fyFrom, span.fyTo, a.footnote ?? null);
    });
    g.variations.forEach((v, i) => this.s.insertVariation.run(g.id, i + 1, v.date ?? null, v.whenText ?? null, v.description,
      v.changePence ?? null, v.newTotalPence ?? null, v.sourceRef ?? null));
    g.partners.forEach((p, i) => this.s.insertPartner.run(g.id, i + 1, p.orgId, p.role ?? null));
    g.beneficiaryLocations.forEach((l, i) => this.s.insertLocation.run(g.id, i + 1, l.name, l.countryCode ?? null,
      l.geoCode ?? null, l.geoCodeType ?? null));
    g.classifications.forEach((c, i) => this.s.insertClassification.run(g.id, i + 1, c.vocabulary ?? null, c.code ?? null, c.title ?? null));
    for (const t of g.themes) this.s.insertTheme.run(g.id, t.theme, t.outcome ?? null, t.sourceRef ?? null);
    for (const f of g.flags) this.s.insertFlag.run(g.id, f.name, f.value, f.evidence ?? null, f.sourceRef ?? null);
    for (const f of g.figures) {
      this.s.insertFigure.run(g.id, f.measure, f.financialYear ?? -1, f.status, f.valueNumber ?? null, f.valueText ?? null,
        f.wording ?? null, f.sourceRef ?? null);
    }
    const outcomes = g.themes.map((t) => t.outcome).filter(Boolean).join('\n');
    const description = [g.description, g.services].filter(Boolean).join('\n');
    this.s.insertFts.run(info.lastInsertRowid, g.id, g.title, description || null, outcomes || null);
    if (!existing) return 'inserted';
    const fields = withoutDerivedEchoes(diffSnapshots(before, this.history.snapshots.of(g.id)));
    if (!fields.length) {
      // Nothing a reader can see is different (say, a record hashed by older code): no new version.
      this.history.forgetVersion(g.id, existing.version, existing.changedAt, existing.changeId);
      return 'unchanged';
    }
    const action = existing.withdrawnAt !== null ? 'restored' : 'changed';
    this.history.record(g.id, version, action, fields);
    this.changes.push({ grantId: g.id, action, fields });
    return 'updated';
  }

  /**
   * Grants the register holds for the funders and publishers of the current import that it did
   * not contain (and that are not withdrawn already): "no longer in the source".
   */
  notInSource(funders: Iterable<string>, prefixes: Iterable<string>): { id: string; title: string }[] {
    const change = this.history.change();
    const f = [...funders];
    const p = [...prefixes];
    if (!f.length || !p.length) return [];
    const rows = this.db.prepare(`SELECT id, title FROM grants
      WHERE funding_org_id IN (${f.map(() => '?').join(', ')}) AND coalesce(seen_change, -1) <> ? AND withdrawn_at IS NULL
      ORDER BY id`).all(...f, change.id) as { id: string; title: string }[];
    return rows.filter((r) => p.includes(idPrefix(r.id)));
  }

  /** Mark grants withdrawn (a new version of each; nothing is deleted, history is kept). */
  withdraw(ids: string[]): void {
    const change = this.history.change();
    for (const id of ids) {
      const existing = this.s.hashOf.get(id) as Existing | undefined;
      if (!existing || existing.withdrawnAt !== null) continue;
      const before = this.history.snapshots.of(id)!;
      this.history.keepVersion(id, existing.version, existing.changedAt, before);
      this.s.setWithdrawn.run(change.at, existing.version + 1, change.at, change.id, id);
      const fields = diffSnapshots(before, this.history.snapshots.of(id));
      this.history.record(id, existing.version + 1, 'withdrawn', fields);
      this.changes.push({ grantId: id, action: 'withdrawn', fields });
    }
  }
}

/**
 * Where a line sits in time: its period and the financial years it overlaps. `financial_year`
 * is set only for a line within one year; a line over several years is matched by its span.
 */
export function lineSpan(a: Pick<AllocationInput, 'financialYear' | 'period'>): { period: Period | null; fyFrom: number | null; fyTo: number | null; financialYear: number | null } {
  const period = a.period ?? (a.financialYear !== null ? fyPeriod(a.financialYear) : null);
  if (!period) return { period: null, fyFrom: null, fyTo: null, financialYear: null };
  const { from, to } = periodFinancialYears(period);
  return { period, fyFrom: from, fyTo: to, financialYear: from === to ? from : null };
}

function plannedPeriod(g: GrantInput): Period | null {
  if (g.plannedPeriodText) return tryParsePeriod(g.plannedPeriodText);
  if (g.plannedStart && g.plannedEnd && g.plannedStart <= g.plannedEnd) return { start: g.plannedStart, end: g.plannedEnd, precision: 'day' };
  return null;
}

/** A grant with no money lines contributes one `award` line in the financial year of its award date. */
function derivedAward(g: GrantInput): AllocationInput[] {
  if (g.amountAwardedPence === null) return [];
  return [{
    financialYear: g.awardDate ? financialYearOfDate(g.awardDate).start : null,
    // Without an award date, the award covers the grant's planned period, when that is known.
    period: g.awardDate ? null : plannedPeriod(g),
    periodText: g.awardDate ? null : g.plannedPeriodText ?? null,
    recipientOrgId: g.recipientOrg?.id ?? null,
    funderOrgId: g.fundingOrg?.id ?? null,
    stream: null,
    basis: 'award' as const,
    amountPence: g.amountAwardedPence,
    amountStatus: 'value' as const,
    supersedes: null,
    note: null,
    sourceRef: g.sourceRef,
  }];
}

/**
 * Stable hash of everything a grant record says; key order is fixed by how records are built.
 * Its position and the file it came from are provenance, not content, so they are left out.
 */
export function contentHash(g: GrantInput): string {
  return createHash('md5').update(JSON.stringify({ ...g, position: undefined, sourceDocument: undefined })).digest('base64url');
}

/** `360G-LBFEW-109588` -> `360G-LBFEW`: the publisher's registered prefix (the source of a 360Giving id). */
export function idPrefix(id: string): string {
  const m = /^([^-]+-[^-]+)-/.exec(id);
  return m ? m[1] : id;
}

export type { Issue };
