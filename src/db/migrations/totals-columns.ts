/**
 * Migration: the totals columns (src/register/totals-columns.ts), packed arrays of the fields
 * count and total test, one BLOB each, written by an import into a large register. They must
 * never be read stale: any change to a money line, or to a grant field they hold (currency,
 * withdrawn, running dates, programme), deletes them all in the same statement's transaction,
 * whatever makes it (foi, or someone with the sqlite3 shell). Totals are then planned in SQL,
 * with the same results, until the next import writes them again. A register already large gets
 * its columns when migrated. A later migration that rebuilds allocation or grants (create, copy,
 * drop, rename) drops these triggers with the old table: it must create them again.
 */
import type Database from 'better-sqlite3';
import { COLUMNS, writeTotalsColumns } from '../../register/totals-columns.js';

const stale = 'BEGIN DELETE FROM totals_column; END';

const SQL = `
  CREATE TABLE totals_column (
    name TEXT PRIMARY KEY,             -- "token", "meta", or a column's name
    data BLOB NOT NULL
  );
  CREATE TRIGGER totals_stale_line_insert AFTER INSERT ON allocation ${stale};
  CREATE TRIGGER totals_stale_line_update AFTER UPDATE ON allocation ${stale};
  CREATE TRIGGER totals_stale_line_delete AFTER DELETE ON allocation ${stale};
  CREATE TRIGGER totals_stale_grant_insert AFTER INSERT ON grants ${stale};
  CREATE TRIGGER totals_stale_grant_delete AFTER DELETE ON grants ${stale};
  CREATE TRIGGER totals_stale_grant_update AFTER UPDATE OF id, currency, withdrawn_at, planned_start, planned_end, programme_code, programme_title ON grants ${stale};
  -- The columns index grants by rowid (UPDATE OF cannot name it).
  CREATE TRIGGER totals_stale_grant_rowid AFTER UPDATE ON grants WHEN old.rowid IS NOT new.rowid ${stale};
`;

/** The table and its triggers; a register already large gets its columns now, not at its next import. */
export function MIGRATION_TOTALS_COLUMNS(db: Database.Database): void {
  db.exec(SQL);
  if ((db.prepare('SELECT count(*) FROM allocation').pluck().get() as number) >= COLUMNS.minLines) writeTotalsColumns(db);
}
