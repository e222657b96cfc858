/**
 * Count and totals of a query by one pass over the totals columns (src/register/totals-columns.ts):
 * every condition of the listing (src/register/query-sql.ts) tested on packed arrays, line by
 * line, and summed into the same buckets queryTotals fills from SQL. A million lines take a few
 * milliseconds whatever the criteria; what the arrays do not hold is asked of SQLite first, once:
 * the grants a full-text query, theme, flag, classification or grant id finds (a mark per grant),
 * and which organisations, streams and programmes a name matches (a mark per dictionary entry,
 * matched by SQLite itself, so LIKE and NOCASE mean exactly what they mean in the listing).
 */
import type { Db } from '../db/open.js';
import { financialYearBounds } from '../core/financial-year.js';
import type { GrantQuery } from './query.js';
import { ORG_IDS, TEXT_ROWIDS, ftsQuery, like, orgParams, statement } from './query-sql.js';
import { FLAG, NONE, NO_YEAR, dateNumber, type TotalsColumns } from './totals-columns.js';

/** One currency's sums (as queryTotals's aggregate gives them per bucket). */
export interface ScanSums {
  currency: string;
  n: number;
  withAmount: number;
  superseded: number;
  amounts: number;
  maximum: number;
  outside: number;
  outsideRows: number;
}

/** Mark the grants of a comma-separated list of rowids as being in the k-th set (those in every earlier set only). */
function markSet(mask: Uint8Array, k: number, list: string | null): void {
  if (!list) return;
  let v = 0;
  for (let i = 0; i <= list.length; i++) {
    const c = i < list.length ? list.charCodeAt(i) : 44;
    if (c === 44) {
      if (v < mask.length && mask[v] === k) mask[v] = k + 1;
      v = 0;
    } else v = v * 10 + (c - 48);
  }
}

/** Which entries of a dictionary SQLite matches: `where` tests `value` (parameters `params`). */
function matchDictionary(db: Db, list: unknown[], where: string, params: unknown[]): Uint8Array {
  const marks = new Uint8Array(list.length);
  const keys = statement(db, `SELECT key FROM json_each(?) WHERE ${where}`).raw(true).all(JSON.stringify(list), ...params) as [number][];
  for (const [k] of keys) marks[k] = 1;
  return marks;
}

/** The dictionary entries of the organisations a name part or org-id finds (ORG_IDS, as the listing asks it). */
function matchOrgs(db: Db, cols: TotalsColumns, name: string): Uint8Array {
  const index = cols.orgIndex();
  const marks = new Uint8Array(cols.meta.orgs.length);
  for (const [id] of statement(db, ORG_IDS).raw(true).all(...orgParams(name)) as [string][]) {
    const i = index.get(id);
    if (i !== undefined) marks[i] = 1;
  }
  return marks;
}

const csv = (db: Db, sql: string, params: unknown[]) => (statement(db, sql).raw(true).all(...params) as [string | null][])[0][0];

/**
 * The sums of the lines `q` selects, per currency, withdrawn grants left out unless asked for;
 * null when the columns cannot answer it (running dates that are not plain ISO dates, or more
 * sets of grants than a byte counts).
 * `years`: ascending, without repeats.
 */
export function scanTotals(db: Db, cols: TotalsColumns, q: GrantQuery, years: number[]): ScanSums[] | null {
  const { meta } = cols;
  if (q.activeIn.length && !meta.active) return null;
  // Years are marked in an array from the first asked to the last.
  if (years.length && years[years.length - 1] - years[0] > 100_000) return null;
  // A grant's mark counts the sets it is in, in a byte.
  if ((q.text ? 1 : 0) + q.themes.length + q.flags.length + (q.classifications?.length ?? 0) + (q.grantIds.length ? 1 : 0) > 250) return null;

  // The grants of the sets: a grant is in all K when its mark is K.
  let sets = 0;
  let mask: Uint8Array | null = null;
  const addSet = (list: string | null) => {
    mask ??= new Uint8Array(meta.grantSlots);
    markSet(mask, sets++, list);
  };
  if (q.text) addSet(csv(db, `SELECT group_concat(rowid) FROM (${TEXT_ROWIDS})`, [ftsQuery(q.text)]));
  for (const theme of q.themes) addSet(csv(db, 'SELECT group_concat(g.rowid) FROM grant_theme t JOIN grants g ON g.id = t.grant_id WHERE t.theme = ?', [theme]));
  for (const f of q.flags) addSet(csv(db, 'SELECT group_concat(g.rowid) FROM grant_flag f JOIN grants g ON g.id = f.grant_id WHERE f.flag = ? AND f.value = ?', [f.name, f.value]));
  for (const c of q.classifications ?? []) {
    addSet(csv(db, `SELECT group_concat(g.rowid) FROM grant_classification c JOIN grants g ON g.id = c.grant_id
      WHERE c.code = ? COLLATE NOCASE OR c.title LIKE ? ESCAPE '\\'`, [c, like(c)]));
  }
  if (q.grantIds.length) addSet(csv(db, `SELECT group_concat(rowid) FROM grants WHERE id IN (${q.grantIds.map(() => '?').join(', ')})`, q.grantIds));

  const recipients = q.recipient ? matchOrgs(db, cols, q.recipient) : null;
  const funders = q.funder ? matchOrgs(db, cols, q.funder) : null;
  const streams = q.funder ? matchDictionary(db, meta.streams, "value LIKE ? ESCAPE '\\'", [like(q.funder)]) : null;
  const programmes = q.programme
    ? matchDictionary(db, meta.programmes, "json_extract(value, '$[0]') = ? OR json_extract(value, '$[1]') LIKE ? ESCAPE '\\'", [q.programme, like(q.programme)])
    : null;
  const active = q.activeIn.map((y) => {
    const b = financialYearBounds(y);
    return [dateNumber(b.from), dateNumber(b.to)] as const;
  });

  // The years: asked[y - lo] for y in lo..hi, and how many are asked up to each (any asked within a span).
  const hasYears = years.length > 0;
  const lo = hasYears ? years[0] : 0;
  const hi = hasYears ? years[years.length - 1] : 0;
  const asked = new Uint8Array(hi - lo + 1);
  for (const y of years) asked[y - lo] = 1;
  const upTo = new Int32Array(hi - lo + 2);
  for (let k = 0; k <= hi - lo; k++) upTo[k + 1] = upTo[k] + asked[k];
  const gaps = hasYears && years.length < hi - lo + 1;
  /** Years asked within [from, to] (both within lo..hi, from <= to). */
  const askedIn = (from: number, to: number) => upTo[to - lo + 1] - upTo[from - lo];

  const grantMask = mask as Uint8Array | null;
  // The line's grant is read only for a test of the grant (each column read costs the process a few milliseconds).
  const G = grantMask || programmes || active.length ? cols.get('grant') : null;
  const FY = cols.get('fy');
  const FROM = cols.get('fyFrom');
  const TO = cols.get('fyTo');
  const AMOUNT = cols.get('amount');
  const FLAGS = cols.get('flags');
  const CURRENCY = cols.get('currency');
  const RECIPIENT = recipients ? cols.get('recipient') : null;
  const FUNDER = funders ? cols.get('funder') : null;
  const STREAM = funders ? cols.get('stream') : null;
  const PROGRAMME = programmes ? cols.get('programme') : null;
  const ACTIVE_FROM = active.length ? cols.get('activeFrom') : null;
  const ACTIVE_TO = active.length ? cols.get('activeTo') : null;

  const c = meta.currencies.length;
  const n = new Float64Array(c);
  const withAmount = new Float64Array(c);
  const superseded = new Float64Array(c);
  const amounts = new Float64Array(c);
  const maximum = new Float64Array(c);
  const outside = new Float64Array(c);
  const outsideRows = new Float64Array(c);

  const skip = (q.includeSuperseded ? 0 : FLAG.superseded) | (q.includeWithdrawn ? 0 : FLAG.withdrawn);
  const min = q.minPence;
  const max = q.maxPence;
  const lines = meta.lines;
  for (let i = 0; i < lines; i++) {
    const flags = FLAGS[i];
    if (flags & skip) continue;
    let out = false;
    if (hasYears) {
      const fy = FY[i];
      const from = FROM[i];
      const to = TO[i];
      if (fy !== NO_YEAR) {
        if (fy < lo || fy > hi || !asked[fy - lo]) continue;
      } else {
        if (from === NO_YEAR || to === NO_YEAR || from > hi || to < lo) continue;
        if (gaps && (from > to || askedIn(Math.max(from, lo), Math.min(to, hi)) === 0)) continue;
      }
      // Over several years, not all of them asked for: listed, but not the years' money.
      if (from !== to && from !== NO_YEAR && to !== NO_YEAR) {
        const within = from >= lo && to <= hi && (from > to || askedIn(from, to) === to - from + 1);
        out = !within;
      }
    }
    const noAmount = (flags & FLAG.noAmount) !== 0;
    if (min !== null && (noAmount || AMOUNT[i] < min)) continue;
    if (max !== null && (noAmount || AMOUNT[i] > max)) continue;
    if (RECIPIENT) {
      const r = RECIPIENT[i];
      if (r === NONE || !recipients![r]) continue;
    }
    if (FUNDER) {
      const f = FUNDER[i];
      const s = STREAM![i];
      if (!(f !== NONE && funders![f]) && !(s !== NONE && streams![s])) continue;
    }
    const g = G ? G[i] : 0;
    if (grantMask && grantMask[g] !== sets) continue;
    if (PROGRAMME) {
      const p = PROGRAMME[g];
      if (p === NONE || !programmes![p]) continue;
    }
    if (ACTIVE_FROM) {
      const from = ACTIVE_FROM[g];
      const to = ACTIVE_TO![g];
      let running = false;
      if (from !== 0) for (const [start, end] of active) if (from <= end && to >= start) running = true;
      if (!running) continue;
    }
    const k = CURRENCY[i];
    n[k]++;
    const live = (flags & FLAG.supersededOne) === 0;
    if (!live) superseded[k]++;
    if (noAmount) continue;
    withAmount[k]++;
    if (!live) continue; // superseded: none of its amount is counted
    const amount = AMOUNT[i];
    amounts[k] += amount;
    if (out) {
      outside[k] += amount;
      outsideRows[k]++;
    } else if (flags & FLAG.maximum) maximum[k] += amount;
  }
  return meta.currencies.map((currency, k) => ({
    currency, n: n[k], withAmount: withAmount[k], superseded: superseded[k], amounts: amounts[k], maximum: maximum[k], outside: outside[k], outsideRows: outsideRows[k],
  }));
}
