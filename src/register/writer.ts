/**
 * Writes typed records into the register with prepared statements only. Idempotent by grant id:
 * a record whose content hash is unchanged is skipped; a changed one becomes the grant's next
 * version, and the previous version is kept whole (src/register/history.ts) with what changed.
 * The caller owns the transaction (imports are all-or-nothing) and starts a change set per file.
 *
 * Fast paths for large imports, none of which skips work:
 * - a grant whose id the register cannot hold (IdFilter) is inserted without being looked up;
 * - the derived `award` line and the full-text row of a grant are made in SQL from its grants
 *   row, a run of rowids at a time (`awardLines`, `ftsRows`), not a statement per grant;
 * - into a register with no grants yet (beginBulk), the secondary indexes of the grant tables are
 *   dropped and built again at the end in one pass each (finishFile), in the same transaction.
 */
import type { Db } from '../db/open.js';
import type { GrantInput, Issue, OrgInput } from './types.js';
import { OrgSnapshots } from './org-snapshots.js';
import { IdFilter } from './id-filter.js';
import { GRANT_COLUMNS, LINE_COLUMNS, SentOrgs, idPrefix, orgViewKey, ownString, toStored, type Cell, type StoredGrant } from './stored-grant.js';
import { HistoryWriter, diffSnapshots, grantTables, withoutDerivedEchoes, type ChangeKind, type GrantChangeReport, type Snapshot } from './history.js';
import type { FlagDef, MeasureDef, SourceDef, StatedTotalDef, ThemeDef } from '../import/foi-format.js';

export type WriteOutcome = 'inserted' | 'updated' | 'unchanged';

/** New grants whose award lines and full-text rows are made in one statement, at most. */
const FLUSH_EVERY = 4096;
const SOURCE_DOCUMENT = GRANT_COLUMNS.indexOf('source_document');
const TITLE = GRANT_COLUMNS.indexOf('title');

interface Existing {
  rowid: number; hash: string; position: number | null; document: string | null; version: number;
  changedAt: string | null; changeId: number | null; createdChange: number | null; withdrawnAt: string | null;
}

export class RegisterWriter {
  private readonly s;
  /** Organisations already written in this run, by id -> what the shared view holds, to skip repeats cheaply. */
  private readonly orgsSeen = new Map<string, string>();
  /** Each 360Giving grant's organisations as published. */
  private readonly snapshots: OrgSnapshots;
  private readonly known = { themes: new Set<string>(), flags: new Set<string>(), measures: new Set<string>(), sources: new Set<string>() };
  /** For GrantInputs converted here (writeGrant). */
  private readonly sent = new SentOrgs();
  /** Ids that may be in the register; null: look every grant up. */
  private ids: IdFilter | null;
  /** New grants (consecutive rowids) whose award line is still to be made in SQL. */
  private pending: { from: number; to: number } | null = null;
  /**
   * New grants (runs of rowids) whose full-text rows are to be made in SQL when the file ends. Not
   * sooner: every statement that opens a savepoint (an INSERT … SELECT, an upsert) makes FTS5
   * flush what it holds in memory to a new segment, and a segment per few thousand grants costs
   * far more in merging than one build at the end.
   */
  private ftsRuns: [from: number, to: number][] = [];
  /** While a bulk load runs: the indexes to build again at its end. */
  private bulk: string[] | null = null;

  readonly history: HistoryWriter;
  /** What changed in the current change set, grant by grant (for the import report). */
  changes: GrantChangeReport[] = [];

  constructor(private readonly db: Db) {
    this.snapshots = new OrgSnapshots(db);
    this.history = new HistoryWriter(db);
    const lines = LINE_COLUMNS.join(', ');
    this.s = {
      anyGrant: db.prepare('SELECT 1 FROM grants LIMIT 1').pluck(),
      hashOf: db.prepare(`SELECT rowid AS rowid, content_hash AS hash, source_position AS position, source_document AS document, version,
        changed_at AS changedAt, change_id AS changeId, created_change AS createdChange, withdrawn_at AS withdrawnAt FROM grants WHERE id = ?`),
      setProvenance: db.prepare('UPDATE grants SET source_position = ?, source_document = ?, seen_change = ? WHERE rowid = ?'),
      setSeen: db.prepare('UPDATE grants SET seen_change = ? WHERE rowid = ?'),
      setWithdrawn: db.prepare('UPDATE grants SET withdrawn_at = ?, version = ?, changed_at = ?, change_id = ? WHERE id = ?'),
      deleteGrant: db.prepare('DELETE FROM grants WHERE id = ?'),
      deleteFts: db.prepare('DELETE FROM grant_fts WHERE rowid = ?'),
      insertGrant: db.prepare(`INSERT INTO grants (${GRANT_COLUMNS.join(', ')}, content_hash, source_position,
        recipient_snapshot_id, funder_snapshot_id, rowid, version, changed_at, change_id, created_change, seen_change)
        VALUES (${GRANT_COLUMNS.map(() => '?').join(', ')}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      insertOrgName: db.prepare('INSERT OR IGNORE INTO organisation_name (org_id, name) VALUES (?, ?)'),
      insertAllocation: db.prepare(`INSERT INTO allocation (grant_id, seq, grant_rowid, ${lines}) VALUES (?, ?, ?, ${LINE_COLUMNS.map(() => '?').join(', ')})`),
      // A grant with no money lines of its own has one `award` line: its amount in the financial
      // year of its award date (src/core/financial-year.ts: the year starts on 1 April).
      awardLines: db.prepare(`INSERT INTO allocation (grant_id, seq, grant_rowid, ${lines})
        SELECT id, 1, rowid, fy, NULL, recipient_org_id, funding_org_id, NULL, 'award', amount_awarded_pence, 'value',
          NULL, 0, NULL, source_ref, fy || '-04-01', (fy + 1) || '-03-31', 'fy', fy, fy, NULL
        FROM (SELECT rowid, id, recipient_org_id, funding_org_id, amount_awarded_pence, source_ref,
            CAST(substr(award_date, 1, 4) AS INTEGER) - (CAST(substr(award_date, 6, 2) AS INTEGER) < 4) AS fy
          FROM grants WHERE rowid BETWEEN ? AND ?)`),
      // The full-text row of a grant without theme outcomes: title, and description and services.
      ftsRows: db.prepare(`INSERT INTO grant_fts (rowid, title, description, outcomes)
        SELECT rowid, title, nullif(concat_ws(char(10), nullif(description, ''), nullif(services, '')), ''), NULL
        FROM grants WHERE rowid BETWEEN ? AND ?`),
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
      insertFts: db.prepare('INSERT INTO grant_fts (rowid, title, description, outcomes) VALUES (?, ?, ?, ?)'),
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
    this.ids = this.s.anyGrant.get() ? null : new IdFilter(1 << 16);
  }

  /**
   * Told how many grants the caller expects to write: into a register that holds many more, every
   * grant is looked up (cheaper than learning all the ids); otherwise the ids are learnt in one
   * pass, so that new grants need no lookup.
   */
  expect(grants: number): void {
    const empty = !this.s.anyGrant.get();
    if (empty) {
      this.ids = new IdFilter(grants);
      return;
    }
    const held = this.db.prepare('SELECT count(*) FROM grants').pluck().get() as number;
    if (grants * 8 < held) {
      this.ids = null;
      return;
    }
    const ids = new IdFilter(held + grants);
    for (const id of this.db.prepare('SELECT id FROM grants').pluck().iterate() as IterableIterator<string>) ids.add(id);
    this.ids = ids;
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
    const key = orgViewKey(o);
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

  writeGrant(g: GrantInput, location = ''): WriteOutcome {
    return this.writeStored(toStored(g, location, this.sent));
  }

  /**
   * Writes one grant as stored (src/register/stored-grant.ts); `s.row` is used up. Some of a new
   * grant's rows are made later, together: call finishFile when the grants are written.
   */
  writeStored(s: StoredGrant): WriteOutcome {
    const change = this.history.change();
    const existing = this.ids && !this.ids.has(s.id) ? undefined : (this.s.hashOf.get(s.id) as Existing | undefined);
    if (existing && existing.hash === s.hash && existing.withdrawnAt === null) {
      // Where a record sits, and in which file, is provenance, not content: the grant is unchanged.
      const document = s.row[SOURCE_DOCUMENT];
      if (existing.position !== s.position || existing.document !== document) this.s.setProvenance.run(s.position, document, change.id, existing.rowid);
      else this.s.setSeen.run(change.id, existing.rowid);
      return 'unchanged';
    }
    let before: Snapshot | null = null;
    if (existing) {
      // The version being replaced is kept whole, with the time it stops being current.
      before = this.history.snapshots.of(s.id);
      this.history.keepVersion(s.id, existing.version, existing.changedAt, before!);
      this.s.deleteFts.run(existing.rowid);
      this.s.deleteGrant.run(s.id);
    }
    const version = existing ? existing.version + 1 : 1;
    if (s.orgs) for (const o of s.orgs) this.writeOrg(o);
    const snapshot = s.snapshots ? this.snapshots.ids(s) : null;
    const row = s.row;
    row.push(s.hash, s.position, snapshot?.recipients[0] ?? null, snapshot?.funders[0] ?? null,
      // Same rowid as before: listings and the full-text index join on it.
      existing?.rowid ?? null, version, change.at, change.id, existing ? existing.createdChange : change.id, change.id);
    const rowid = Number(this.s.insertGrant.run(row).lastInsertRowid);
    this.ids?.add(s.id);
    if (snapshot) this.snapshots.writeMore(s.id, snapshot);
    this.writeChildren(s, rowid);
    if (s.lines === null && !existing) {
      // The usual new grant: its award line is made with its neighbours'.
      const p = this.pending;
      if (p && rowid === p.to + 1 && p.to - p.from < FLUSH_EVERY) p.to = rowid;
      else {
        this.flush();
        this.pending = { from: rowid, to: rowid };
      }
    } else if (s.lines === null) this.s.awardLines.run(rowid, rowid);
    if (s.fts === null && existing) this.s.ftsRows.run(rowid, rowid);
    else if (s.fts === null) {
      const last = this.ftsRuns[this.ftsRuns.length - 1];
      if (last && rowid === last[1] + 1) last[1] = rowid;
      else this.ftsRuns.push([rowid, rowid]);
    } else this.s.insertFts.run(rowid, row[TITLE], s.fts[0], s.fts[1]);
    if (!existing) return 'inserted';
    const fields = withoutDerivedEchoes(diffSnapshots(before, this.history.snapshots.of(s.id)));
    if (!fields.length) {
      // Nothing a reader can see is different (say, a record hashed by older code): no new version.
      this.history.forgetVersion(s.id, existing.version, existing.changedAt, existing.changeId);
      return 'unchanged';
    }
    const action = existing.withdrawnAt !== null ? 'restored' : 'changed';
    this.history.record(s.id, version, action, fields);
    this.changes.push({ grantId: ownString(s.id), action, fields });
    return 'updated';
  }

  /** A grant's rows in the other grant tables, numbered from 1 in order. */
  private writeChildren(s: StoredGrant, rowid: number): void {
    const id = s.id;
    const each = (rows: Cell[][] | null, write: (r: Cell[], seq: number) => void) => {
      if (rows) for (let i = 0; i < rows.length; i++) write(rows[i], i + 1);
    };
    each(s.lines, (r, seq) => this.s.insertAllocation.run(id, seq, rowid, r));
    each(s.locations, (r, seq) => this.s.insertLocation.run(id, seq, r));
    each(s.classifications, (r, seq) => this.s.insertClassification.run(id, seq, r));
    each(s.variations, (r, seq) => this.s.insertVariation.run(id, seq, r));
    each(s.partners, (r, seq) => this.s.insertPartner.run(id, seq, r));
    each(s.themes, (r) => this.s.insertTheme.run(id, r));
    each(s.flags, (r) => this.s.insertFlag.run(id, r));
    each(s.figures, (r) => this.s.insertFigure.run(id, r));
  }

  /** Makes the award lines of the new grants written since the last flush. */
  flush(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    this.s.awardLines.run(p.from, p.to);
  }

  /**
   * Into a register that holds no grants yet: drops the secondary indexes of the grant tables,
   * to be built again by finishFile in one pass each (sorting a million keys once costs far less
   * than a million inserts into random places). Returns false, and does nothing, otherwise.
   * Unique indexes that foreign keys refer to stay.
   */
  beginBulk(): boolean {
    if (this.bulk || this.s.anyGrant.get()) return false;
    const tables = ['grants', ...grantTables(this.db)];
    const all = this.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).pluck().all() as string[];
    const parents = new Set(all.flatMap((t) => (this.db.prepare('SELECT "table" FROM pragma_foreign_key_list(?)').pluck().all(t) as string[])));
    const indexes = this.db.prepare(`SELECT m.name, m.sql, m.tbl_name AS tbl, i."unique" AS uniq FROM sqlite_master m
      JOIN pragma_index_list(m.tbl_name) i ON i.name = m.name
      WHERE m.type = 'index' AND m.sql IS NOT NULL AND m.tbl_name IN (${tables.map(() => '?').join(', ')}) ORDER BY m.rowid`).all(...tables) as { name: string; sql: string; tbl: string; uniq: number }[];
    this.bulk = [];
    for (const ix of indexes) {
      if (ix.uniq && parents.has(ix.tbl)) continue;
      this.db.exec(`DROP INDEX "${ix.name.replace(/"/g, '""')}"`);
      this.bulk.push(ix.sql);
    }
    return true;
  }

  /**
   * At the end of a file: the pending award lines, the full-text rows of the file's grants, and
   * after a bulk load the indexes beginBulk dropped, each built from its table in one pass.
   */
  finishFile(): void {
    this.flush();
    for (const [from, to] of this.ftsRuns) this.s.ftsRows.run(from, to);
    this.ftsRuns = [];
    const indexes = this.bulk;
    this.bulk = null;
    for (const sql of indexes ?? []) this.db.exec(sql);
  }

  /**
   * Grants the register holds for the funders and publishers of the current import that it did
   * not contain (and that are not withdrawn already): "no longer in the source".
   */
  notInSource(funders: Iterable<string>, prefixes: Iterable<string>): { id: string; title: string }[] {
    this.flush();
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
    this.flush();
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

export type { Issue };
