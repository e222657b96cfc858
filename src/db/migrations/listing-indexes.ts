/**
 * Migration: indexes for listings and totals at a million money lines (issue 9).
 *
 * - allocation_listing replaces allocation_span (its first three columns): a year query reads
 *   the lines of that year from it, and with the columns the totals need (superseded, basis,
 *   amount, and the grant's rowid for a text search) count and total are summed from the index
 *   alone, without reading a table row.
 * - allocation_by_grant: the same columns by the grant's rowid, so the lines of the grants a text
 *   search finds are summed without reading their rows either (a text search over several years
 *   finds fewer grants than the years hold lines), and so are the lines of the grants below. Grants
 *   are added in rowid order, so an import appends to this index.
 * - grants_not_plain: the few grants whose lines cannot be summed that way, those withdrawn or in
 *   another currency than GBP (a partial index: empty in most registers, so it costs an import
 *   nothing). src/register/query-totals.ts takes their lines out of the sums and adds them back
 *   where they belong.
 */
export const MIGRATION_LISTING_INDEXES = `
  CREATE INDEX allocation_listing ON allocation(financial_year, fy_from, fy_to, grant_rowid, superseded, basis, amount_pence);
  DROP INDEX allocation_span;
  CREATE INDEX allocation_by_grant ON allocation(grant_rowid, superseded, financial_year, fy_from, fy_to, basis, amount_pence);
  CREATE INDEX grants_not_plain ON grants(currency, withdrawn_at) WHERE withdrawn_at IS NOT NULL OR currency <> 'GBP';
`;
