/**
 * Writing each 360Giving grant's organisations as its record published them (org_snapshot, see
 * src/db/migration-360-records.ts). A snapshot is stored once however many grants publish the
 * organisation alike, so the usual grant costs no extra row: its first recipient and funder are
 * snapshot ids on the grants row, found in a cache.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../db/open.js';
import { orgRecord } from './published-record.js';
import type { MoreOrgs, OrgInput } from './types.js';

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
  ids(recipient: OrgInput | null, funder: OrgInput | null, more: MoreOrgs): SnapshotIds {
    const recipients = recipient ? [this.idOf(recipient)] : [];
    const funders = funder ? [this.idOf(funder)] : [];
    for (const o of more.recipients) recipients.push(this.idOf(o));
    for (const o of more.funders) funders.push(this.idOf(o));
    return { recipients, funders };
  }

  /** Recipients and funders after the first (the first are columns of the grant). */
  writeMore(grantId: string, ids: SnapshotIds): void {
    for (let k = 1; k < ids.recipients.length; k++) this.s.insertMore.run(grantId, 'recipient', k, ids.recipients[k]);
    for (let k = 1; k < ids.funders.length; k++) this.s.insertMore.run(grantId, 'funder', k, ids.funders[k]);
  }

  private idOf(o: OrgInput): number {
    // The cache key: every column and what was kept as published (cheaper than the JSON the stored key hashes).
    const cacheKey = `${o.id}\u0001${o.name}\u0001${o.charityNumber ?? ''}\u0001${o.companyNumber ?? ''}\u0001${o.streetAddress ?? ''}\u0001${o.locality ?? ''}\u0001${o.region ?? ''}\u0001${o.country ?? ''}\u0001${o.postcode ?? ''}\u0001${o.url ?? ''}\u0001${o.organisationType ?? ''}\u0001${o.published ? JSON.stringify(o.published) : ''}`;
    let id = this.cache.get(cacheKey);
    if (id !== undefined) return id;
    const key = createHash('md5').update(JSON.stringify(orgRecord(o))).digest('base64url');
    id = this.s.find.get(key) as number | undefined;
    if (id === undefined) {
      id = Number(this.s.insert.run(key, o.id, o.name, o.charityNumber ?? null, o.companyNumber ?? null, o.streetAddress ?? null, o.locality ?? null,
        o.region ?? null, o.country ?? null, o.postcode ?? null, o.url ?? null, o.organisationType ?? null,
        o.published ? JSON.stringify(o.published) : null).lastInsertRowid);
    }
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(cacheKey, id);
    if (this.namesSeen.get(o.id) !== o.name) {
      this.s.insertName.run(o.id, o.name);
      this.namesSeen.set(o.id, o.name);
    }
    return id;
  }
}
