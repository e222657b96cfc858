/**
 * Migration: money lines (allocation), beneficiary locations and classifications become rowid
 * tables, their old primary key (grant_id, seq) a UNIQUE index of the same columns. The rows,
 * columns, constraints and other indexes are unchanged; only where rows sit changes.
 *
 * Why: as WITHOUT ROWID tables keyed by the grant's text id they took each new row at a random
 * place in a B-tree that grows with the register (a million-grant import slowed as it went). As
 * rowid tables they take rows at the end, in the order they are written, and an import into an
 * empty register builds the key in one pass at its end (RegisterWriter.beginBulk).
 *
 * The new definitions are made from the stored ones (so columns another migration added stay).
 */
import type Database from 'better-sqlite3';

const TABLES = ['allocation', 'grant_location', 'grant_classification'];

export function MIGRATION_ROWID_LINES(db: Database.Database): void {
  for (const table of TABLES) {
    const sql = db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`).pluck().get(table) as string;
    const pk = /,\s*PRIMARY KEY\s*\(([^)]*)\)/i.exec(sql);
    const withoutRowid = /\)\s*WITHOUT\s+ROWID\s*$/i;
    if (!pk || !withoutRowid.test(sql)) throw new Error(`migration: ${table} is not the WITHOUT ROWID table it should be`);
    const key = pk[1];
    const indexes = db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY rowid`).pluck().all(table) as string[];
    const next = `${table}_rowid`;
    db.exec(sql.replace(pk[0], '').replace(withoutRowid, ')').replace(/^CREATE TABLE\s+("?)\w+\1/i, `CREATE TABLE ${next}`));
    db.exec(`INSERT INTO ${next} SELECT * FROM ${table} ORDER BY ${key}`);
    db.exec(`DROP TABLE ${table}`);
    db.exec(`ALTER TABLE ${next} RENAME TO ${table}`);
    db.exec(`CREATE UNIQUE INDEX ${table}_key ON ${table}(${key})`);
    for (const ix of indexes) db.exec(ix);
  }
}
