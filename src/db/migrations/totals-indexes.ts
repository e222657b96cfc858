/**
 * Migration: indexes for count and total under any criteria (issue 9), for the plans of
 * src/register/totals-plan.ts. Each is built in one pass at the end of an import into an empty
 * register, like the others (RegisterWriter.beginBulk).
 *
 * - allocation_by_recipient replaces allocation_recipient (its first column) and
 *   allocation_by_funder is new: the lines of the matching organisations with the columns the
 *   totals read (those of allocation_listing), so a recipient's or funder's lines are summed from
 *   the index alone, and the funders of a register are walked in a few searches.
 * - allocation_stream: the lines with a funding stream, few (a partial index: empty for a
 *   360Giving import, so it costs an import nothing).
 * - grants_programme: the few distinct programme titles are walked in it, and the grants of the
 *   matching ones read from it.
 * - grants_active: each grant's first and last planned date (either, when one is missing), for
 *   the grants running in a year.
 * - allocation_special: the lines that are not plain (no amount, an "up to" amount, superseded,
 *   over several years), few (a partial index: empty for a 360Giving import). A sum over many
 *   lines counts and sums them all as if plain, a third of the work per line, and then these again.
 */
export const MIGRATION_TOTALS_INDEXES = `
  DROP INDEX allocation_recipient;
  CREATE INDEX allocation_by_recipient ON allocation(recipient_org_id, superseded, financial_year, fy_from, fy_to, grant_rowid, basis, amount_pence);
  CREATE INDEX allocation_by_funder ON allocation(funder_org_id, superseded, financial_year, fy_from, fy_to, grant_rowid, basis, amount_pence);
  CREATE INDEX allocation_stream ON allocation(stream) WHERE stream IS NOT NULL;
  CREATE INDEX grants_programme ON grants(programme_title, programme_code);
  CREATE INDEX grants_active ON grants(coalesce(planned_start, planned_end), coalesce(planned_end, planned_start));
  CREATE INDEX allocation_special ON allocation(grant_rowid) WHERE amount_pence IS NULL OR basis = 'maximum' OR superseded <> 0 OR fy_from <> fy_to;
`;
