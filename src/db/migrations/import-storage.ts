/**
 * Migration: storage for large imports. The rows, their columns and constraints, and what every
 * query finds are unchanged; only where rows sit and what is stored twice change.
 *
 * - Money lines (allocation), beneficiary locations and classifications become rowid tables,
 *   their old primary key (grant_id, seq) a UNIQUE index of the same columns. As WITHOUT ROWID
 *   tables keyed by the grant's text id they took each new row at a random place in a B-tree
 *   that grows with the register (a million-grant import slowed as it went); as rowid tables
 *   they take rows at the end, in the order written, and an import into an empty register builds
 *   the key in one pass at its end (RegisterWriter.beginBulk). The new definitions are made from
 *   the stored ones, so columns another migration added stay.
 * - The full-text index becomes contentless (FTS5 `content=''`, with `contentless_delete` so a
 *   changed grant's row can be replaced): it kept a second copy of every title and description,
 *   which the grants table already holds. Searches are unchanged (`grant_fts MATCH` gives rowids,
 *   grants.rowid); the indexed text is copied over as it was.
 */
import type Database from 'better-sqlite3';

const ROWID_TABLES = ['allocation', 'grant_location', 'grant_classification'];

/** The full-text index as migration 1 made it, without the stored copy of the text. */
const GRANT_FTS = `grant_fts USING fts5(title, description, outcomes, content='', contentless_delete=1, tokenize = 'porter unicode61')`;

export function MIGRATION_IMPORT_STORAGE(db: Database.Database): void {
  for (const table of ROWID_TABLES) rowidTable(db, table);
  db.exec(`CREATE VIRTUAL TABLE ${GRANT_FTS.replace(/^grant_fts/, 'grant_fts_new')}`);
  db.exec('INSERT INTO grant_fts_new (rowid, title, description, outcomes) SELECT rowid, title, description, outcomes FROM grant_fts');
  db.exec('DROP TABLE grant_fts');
  db.exec('ALTER TABLE grant_fts_new RENAME TO grant_fts');
}

function rowidTable(db: Database.Database, table: string): void {
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
