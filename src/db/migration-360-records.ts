/**
 * Migration: faithful 360Giving records (issue 8).
 *
 * - grant_organisation: each grant's own organisations as its record publishes them (name,
 *   numbers, address, web address, type, and every other key as published), so a grant shows
 *   the name it was published with even when another file names the same org-id differently.
 *   `organisation` stays as the current view of each org-id. Registers imported before this
 *   migration have no snapshots: names fall back to `organisation` until the file is imported
 *   again.
 * - organisation_name: every name an org-id has been published under, so `--recipient` finds a
 *   grant by the name it shows.
 * - grants.amount_applied_for_pence / amount_disbursed_pence: the other 360Giving amounts, in the
 *   grant's currency (grants.currency, which applies to every amount of the grant and its lines).
 * - grants.published_json: for 360Giving records, the published value of each key that a column
 *   holds in a normalised or repaired form (NULL for the register's own records); with the
 *   columns and extra_json it rebuilds the published record (src/register/published-record.ts).
 * - grant_classification(code): for `foi grants --classification`.
 */
export const MIGRATION_360_RECORDS = `
  CREATE TABLE grant_organisation (
    grant_id TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('recipient', 'funder')),
    seq INTEGER NOT NULL,              -- position in the grant's list, 0 first
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
    published_json TEXT,               -- other keys, and any the columns do not hold exactly, as published
    PRIMARY KEY (grant_id, role, seq)
  ) WITHOUT ROWID;
  CREATE INDEX grant_organisation_org ON grant_organisation(org_id);

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
