/**
 * Migration: faithful 360Giving records (issue 8).
 *
 * - org_snapshot: an organisation exactly as one 360Giving record publishes it (name, numbers,
 *   address, web address, type, and every other key as published), stored once however many
 *   grants publish it alike (`key` is a hash of the published object): a file of a million
 *   grants from one funder has one funder snapshot. grants.recipient_snapshot_id and
 *   funder_snapshot_id name the grant's first recipient and funder; grant_more_organisation the
 *   rest, in order (rare). So a grant shows the name it was published with even when another
 *   file names the same org-id differently; `organisation` stays as the latest view of each
 *   org-id. Registers imported before this migration have no snapshots: names fall back to
 *   `organisation` until the file is imported again.
 * - organisation_name: every name an org-id has been published under, so `--recipient` and
 *   `--funder` find a grant by the name it shows.
 * - grants.amount_applied_for_pence / amount_disbursed_pence: the other 360Giving amounts, in the
 *   grant's currency (grants.currency, which applies to every amount of the grant and its lines).
 * - grants.published_json: for 360Giving records, the published value of each key that a column
 *   holds in a normalised or repaired form (NULL for the register's own records); with the
 *   columns and extra_json it rebuilds the published record (src/register/published-record.ts).
 * - grant_classification(code): for `foi grants --classification`.
 */
export const MIGRATION_360_RECORDS = `
  CREATE TABLE org_snapshot (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,          -- hash of the organisation object as published
    org_id TEXT NOT NULL,
    name TEXT NOT NULL,
    charity_number TEXT,
    company_number TEXT,
    street_address TEXT,
    locality TEXT,                     -- addressLocality
    region TEXT,                       -- addressRegion
    country TEXT,                      -- addressCountry
    postcode TEXT,
    url TEXT,
    organisation_type TEXT,
    published_json TEXT                -- other keys, and any the columns do not hold exactly, as published
  );
  CREATE INDEX org_snapshot_org ON org_snapshot(org_id);

  ALTER TABLE grants ADD COLUMN recipient_snapshot_id INTEGER REFERENCES org_snapshot(id);
  ALTER TABLE grants ADD COLUMN funder_snapshot_id INTEGER REFERENCES org_snapshot(id);

  -- Recipients and funders after the first, in the grant's own order (seq 1, 2, ...).
  CREATE TABLE grant_more_organisation (
    grant_id TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('recipient', 'funder')),
    seq INTEGER NOT NULL,
    snapshot_id INTEGER NOT NULL REFERENCES org_snapshot(id),
    PRIMARY KEY (grant_id, role, seq)
  ) WITHOUT ROWID;

  CREATE TABLE organisation_name (
    org_id TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (org_id, name)
  ) WITHOUT ROWID;
  INSERT INTO organisation_name (org_id, name) SELECT id, name FROM organisation;

  ALTER TABLE grants ADD COLUMN amount_applied_for_pence INTEGER;
  ALTER TABLE grants ADD COLUMN amount_disbursed_pence INTEGER;
  ALTER TABLE grants ADD COLUMN published_json TEXT;

  CREATE INDEX grant_classification_code ON grant_classification(code);
`;
