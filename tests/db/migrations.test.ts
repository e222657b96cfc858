/**
 * Numbered migrations: a register written before history was kept migrates in place, keeps its
 * grants as current "since the beginning", and from then on keeps every change.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/db/migrations.js';
import { migrate } from '../../src/db/open.js';
import { RegisterWriter } from '../../src/register/writer.js';
import { applyAsAt, grantHistory } from '../../src/register/history.js';
import { emptyGrant } from '../../src/register/types.js';
import { queryGrants, emptyQuery } from '../../src/register/query.js';

describe('migrations', () => {
  it('bring a register from before history to now; old grants are current since the beginning', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    const historyAt = MIGRATIONS.findIndex((m) => typeof m === 'string' && m.includes('CREATE TABLE change_set'));
    expect(historyAt).toBeGreaterThan(0);
    for (const m of MIGRATIONS.slice(0, historyAt)) (typeof m === 'string' ? db.exec(m) : m(db));
    db.pragma(`user_version = ${historyAt}`);
    db.prepare(`INSERT INTO grants (id, title, currency, amount_awarded_pence, award_date, content_hash) VALUES ('G-1', 'Old grant', 'GBP', 100, '2015-06-01', 'x')`).run();
    db.prepare(`INSERT INTO allocation (grant_id, seq, grant_rowid, financial_year, basis, amount_pence, amount_status, fy_from, fy_to, period_start, period_end, period_precision)
      VALUES ('G-1', 1, 1, 2015, 'award', 100, 'value', 2015, 2015, '2015-04-01', '2016-03-31', 'fy')`).run();
    migrate(db);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.prepare('SELECT version, changed_at FROM grants').get()).toEqual({ version: 1, changed_at: null });

    const w = new RegisterWriter(db);
    w.startChange('import', { file: 'new.json', sha256: 'abc' });
    const g = emptyGrant('G-1', 'Old grant, renamed');
    g.amountAwardedPence = 150;
    g.awardDate = '2015-06-01';
    db.exec('BEGIN');
    expect(w.writeGrant(g)).toBe('updated');
    db.exec('COMMIT');
    const h = grantHistory(db, 'G-1')!;
    expect(h.map((e) => [e.version, e.action, e.at === null])).toEqual([[1, 'added', true], [2, 'changed', false]]);
    expect(h[1].fields).toEqual([
      { field: 'amount_awarded_pence', before: '100', after: '150' },
      { field: 'title', before: 'Old grant', after: 'Old grant, renamed' },
    ]);
    // As at any time before the change, the old version (kept whole) is the register's.
    applyAsAt(db, '2000-01-01T00:00:00.000Z');
    const q = emptyQuery();
    q.years = [2015];
    expect(queryGrants(db, q).rows.map((r) => [r.title, r.amountPence])).toEqual([['Old grant', 100]]);
  });
});
