/**
 * Migration 2: a money line's period is stored as a start and an end with the precision its
 * source gives, plus the first and last financial years it overlaps, so a year query finds a
 * line in every year it covers. Lines also get a public footnote (shown in letters) beside the
 * internal note (never shown), and grants their position in the source document (for
 * `order: register`).
 */
import type Database from 'better-sqlite3';
import { periodFinancialYears, tryParsePeriod } from '../../core/period.js';

export function MIGRATION_MONEY_LINE_PERIODS(db: Database.Database): void {
  db.exec(`
    ALTER TABLE allocation ADD COLUMN period_start TEXT;
    ALTER TABLE allocation ADD COLUMN period_end TEXT;
    ALTER TABLE allocation ADD COLUMN period_precision TEXT CHECK (period_precision IN ('fy', 'year', 'month', 'day'));
    ALTER TABLE allocation ADD COLUMN fy_from INTEGER;
    ALTER TABLE allocation ADD COLUMN fy_to INTEGER;
    ALTER TABLE allocation ADD COLUMN footnote TEXT;
    ALTER TABLE grants ADD COLUMN source_position INTEGER;
    UPDATE allocation SET period_start = financial_year || '-04-01', period_end = (financial_year + 1) || '-03-31',
      period_precision = 'fy', fy_from = financial_year, fy_to = financial_year
      WHERE financial_year IS NOT NULL;
    UPDATE grants SET source_position = rowid;
  `);
  // Lines stored with only words for their period: read the words once, in code.
  const free = db.prepare('SELECT grant_id AS id, seq, period_text AS text FROM allocation WHERE financial_year IS NULL AND period_text IS NOT NULL').all() as { id: string; seq: number; text: string }[];
  const set = db.prepare('UPDATE allocation SET period_start = ?, period_end = ?, period_precision = ?, fy_from = ?, fy_to = ?, financial_year = ? WHERE grant_id = ? AND seq = ?');
  for (const r of free) {
    const p = tryParsePeriod(r.text);
    if (!p) continue;
    const { from, to } = periodFinancialYears(p);
    set.run(p.start, p.end, p.precision, from, to, from === to ? from : null, r.id, r.seq);
  }
  // Year queries: single-year lines by financial_year, multi-year lines by their span.
  db.exec(`CREATE INDEX allocation_span ON allocation(financial_year, fy_from, fy_to)`);
}
