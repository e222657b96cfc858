/**
 * Writing each 360Giving grant's organisations as its record published them (org_snapshot, see
 * src/db/migrations/360-records.ts). A snapshot is stored once however many grants publish the
 * organisation alike, so the usual grant costs no extra row: its first recipient and funder are
 * snapshot ids on the grants row, found in a cache by the snapshot's key (computed where the
 * record was read: src/register/stored-grant.ts).
 */
import type { Db } from '../db/open.js';
import { ownString, type StoredGrant } from './stored-grant.js';
import type { OrgInput } from './types.js';

export interface SnapshotIds {
  recipients: number[];
  funders: number[];
}

/** Snapshot ids remembered per run; beyond this many the cache starts again (the UNIQUE key finds the rest). */
const CACHE_MAX = 100_000;

export class OrgSnapshots {
  private readonly s;
  private readonly cache = new Map<string, number>();
  /** The name last written to organisation_name per org id in this run. */
  private readonly namesSeen = new Map<string, string>();

  constructor(db: Db) {
    this.s = {
      find: db.prepare('SELECT id FROM org_snapshot WHERE key = ?').pluck(),
      insert: db.prepare(`INSERT INTO org_snapshot (key, org_id, name, charity_number, company_number, street_address, locality, region,
        country, postcode, url, organisation_type, published_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      insertMore: db.prepare('INSERT INTO grant_more_organisation (grant_id, role, seq, snapshot_id) VALUES (?, ?, ?, ?)'),
      insertName: db.prepare('INSERT OR IGNORE INTO organisation_name (org_id, name) VALUES (?, ?)'),
    };
  }

  /** The snapshot ids of a grant's organisations, first recipient and funder first, storing any not yet in the register. */
  ids(s: StoredGrant): SnapshotIds {
    const keys = s.snapshots!;
    return { recipients: keys.recipients.map((k) => this.idOf(k, s.newSnapshots)), funders: keys.funders.map((k) => this.idOf(k, s.newSnapshots)) };
  }

  /** Recipients and funders after the first (the first are columns of the grant). */
  writeMore(grantId: string, ids: SnapshotIds): void {
    for (let k = 1; k < ids.recipients.length; k++) this.s.insertMore.run(grantId, 'recipient', k, ids.recipients[k]);
    for (let k = 1; k < ids.funders.length; k++) this.s.insertMore.run(grantId, 'funder', k, ids.funders[k]);
  }

  private idOf(key: string, fresh: StoredGrant['newSnapshots']): number {
    let id = this.cache.get(key);
    if (id !== undefined) return id;
    id = this.s.find.get(key) as number | undefined;
    if (id === undefined) {
      // A key met for the first time comes with its organisation (stored-grant.ts SentOrgs).
      const o = fresh?.find(([k]) => k === key)?.[1];
      if (!o) throw new Error(`organisation snapshot ${key} is neither stored nor given`);
      id = this.insert(key, o);
    }
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(ownString(key), id);
    return id;
  }

  private insert(key: string, o: OrgInput): number {
    const id = Number(this.s.insert.run(key, o.id, o.name, o.charityNumber ?? null, o.companyNumber ?? null, o.streetAddress ?? null,
      o.locality ?? null, o.region ?? null, o.country ?? null, o.postcode ?? null, o.url ?? null, o.organisationType ?? null,
      o.published ? JSON.stringify(o.published) : null).lastInsertRowid);
    // Every name an org-id is published under, for --recipient and --funder.
    if (this.namesSeen.get(o.id) !== o.name) {
      this.s.insertName.run(o.id, o.name);
      this.namesSeen.set(o.id, o.name);
    }
    return id;
  }
}
