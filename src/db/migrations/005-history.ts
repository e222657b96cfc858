/**
 * Migration: the register forgets nothing (see src/register/history.ts).
 *
 * - change_set: who changed the register and when: an import (file name and sha256 of its
 *   bytes), a prune, or a command.
 * - grants.version / changed_at / change_id: the version of each grant and the change that wrote
 *   it (changed_at NULL: written before history was kept, so current since the beginning);
 *   created_change: the change that added it; seen_change: the last import that contained it
 *   (for "no longer in the source"); withdrawn_at: set by `foi import --prune`, never deleted.
 * - grant_version: every earlier version of a grant, whole (a JSON snapshot of its rows in every
 *   grant-scoped table), with the span of time it was current.
 * - grant_change: what each new version changed, field by field.
 * - organisation.changed_at and organisation_version: the same for the shared organisation view.
 */
export const MIGRATION_HISTORY = `
  CREATE TABLE change_set (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,                  -- UTC, ISO 8601 with milliseconds
    kind TEXT NOT NULL CHECK (kind IN ('import', 'prune', 'command')),
    file TEXT,                         -- the file's name as given (provenance, not content)
    file_sha256 TEXT,
    command TEXT
  );
  CREATE INDEX change_set_at ON change_set(at);

  ALTER TABLE grants ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE grants ADD COLUMN changed_at TEXT;
  ALTER TABLE grants ADD COLUMN change_id INTEGER REFERENCES change_set(id);
  ALTER TABLE grants ADD COLUMN created_change INTEGER REFERENCES change_set(id);
  ALTER TABLE grants ADD COLUMN seen_change INTEGER REFERENCES change_set(id);
  ALTER TABLE grants ADD COLUMN withdrawn_at TEXT;

  CREATE TABLE grant_version (
    grant_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    valid_from TEXT,                   -- NULL: since before history was kept
    valid_to TEXT NOT NULL,
    change_to INTEGER NOT NULL REFERENCES change_set(id),
    snapshot TEXT NOT NULL,            -- {"grants": {...}, "allocation": [...], ...}
    PRIMARY KEY (grant_id, version)
  ) WITHOUT ROWID;
  CREATE INDEX grant_version_valid ON grant_version(valid_to, valid_from);

  CREATE TABLE grant_change (
    grant_id TEXT NOT NULL,
    version INTEGER NOT NULL,          -- the version this change produced
    change_id INTEGER NOT NULL REFERENCES change_set(id),
    action TEXT NOT NULL CHECK (action IN ('changed', 'withdrawn', 'restored')),
    diff TEXT NOT NULL,                -- [{"field", "before", "after"}, ...]
    PRIMARY KEY (grant_id, version)
  ) WITHOUT ROWID;
  CREATE INDEX grant_change_set ON grant_change(change_id);

  ALTER TABLE organisation ADD COLUMN changed_at TEXT;
  CREATE TABLE organisation_version (
    org_id TEXT NOT NULL,
    valid_from TEXT,
    valid_to TEXT NOT NULL,
    change_to INTEGER NOT NULL REFERENCES change_set(id),
    snapshot TEXT NOT NULL,
    PRIMARY KEY (org_id, valid_to)
  ) WITHOUT ROWID;
`;
