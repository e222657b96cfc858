/**
 * The totals columns: the few fields of every money line and grant that count and total test,
 * kept in the register as packed arrays (one BLOB each, table totals_column), so that queryTotals
 * adds up any criteria over a million lines by one pass over memory (src/register/totals-scan.ts)
 * instead of a plan of SQLite statements, whose cost depends on the criteria (issue 9: count and
 * total for any criteria in under 50 ms).
 *
 * - An import into a register of COLUMNS.minLines lines or more writes them before it commits.
 *   Smaller registers are summed in SQL fast enough, and do without.
 * - They are never read stale: triggers (src/db/migrations/totals-columns.ts) delete them when a
 *   line or a grant field they hold changes, in the same transaction. Without them, totals are
 *   planned in SQL (src/register/totals-plan.ts), with the same results (tests hold the two equal).
 * - A process keeps the columns it has read (per connection), and reads only the row "token" to
 *   know they are still the register's: a new token is written with every new set.
 * - Only what a register can hold exactly is kept: a set is not written when an amount or the sum
 *   of all amounts is beyond 2^53 pence, or a year beyond a 16-bit integer; running dates that are
 *   not plain ISO dates leave `--active-in` to SQL.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/open.js';
import { statement } from './query-sql.js';

export const COLUMNS = {
  /** Registers with fewer lines are summed in SQL (tests set it lower). */
  minLines: 50_000,
};

/** The layout's version: a register written by another layout is summed in SQL until written again. */
const VERSION = 1;

/** A year or dictionary entry that is NULL. */
export const NO_YEAR = -32768;
export const NONE = -1;

/** Bits of a line's `flags`. */
export const FLAG = {
  noAmount: 1,
  maximum: 2,
  /** superseded = 1 (counted as superseded; not live) */
  supersededOne: 4,
  /** superseded <> 0 (not listed without --include-superseded) */
  superseded: 8,
  withdrawn: 16,
} as const;

/** What the token row is read against, and what the columns' arrays are read with. */
interface Meta {
  version: number;
  lines: number;
  /** Length of the arrays indexed by a grant's rowid (the largest rowid + 1). */
  grantSlots: number;
  amount: 'i32' | 'f64';
  /** Whether every running date is a plain ISO date (YYYY-MM-DD), so compared as a number. */
  active: boolean;
  orgs: string[];
  streams: string[];
  /** Distinct [programme_code, programme_title] pairs. */
  programmes: [string | null, string | null][];
  /** currencies[0] is GBP. */
  currencies: string[];
}

type ColumnName = keyof typeof LAYOUT;
/** Each column: what it holds, per line or per grant. */
const LAYOUT = {
  grant: Int32Array, // per line: grants.rowid
  fy: Int16Array, // financial_year
  fyFrom: Int16Array,
  fyTo: Int16Array,
  amount: null, // Int32Array or Float64Array (meta.amount); 0 when there is none (flags)
  flags: Uint8Array,
  currency: Uint8Array, // index into meta.currencies
  recipient: Int32Array, // index into meta.orgs, or NONE
  funder: Int32Array, // index into meta.orgs, or NONE
  stream: Int32Array, // index into meta.streams, or NONE
  activeFrom: Int32Array, // per grant: coalesce(planned_start, planned_end) as YYYYMMDD, 0 when neither
  activeTo: Int32Array, // per grant: coalesce(planned_end, planned_start)
  programme: Int32Array, // per grant: index into meta.programmes, or NONE
} as const;

export type Arrays = {
  grant: Int32Array; fy: Int16Array; fyFrom: Int16Array; fyTo: Int16Array; amount: Int32Array | Float64Array; flags: Uint8Array;
  currency: Uint8Array; recipient: Int32Array; funder: Int32Array; stream: Int32Array; activeFrom: Int32Array; activeTo: Int32Array; programme: Int32Array;
};

/** The register's columns as one process holds them: each array read on first use. */
export class TotalsColumns {
  private readonly loaded = new Map<ColumnName, Arrays[ColumnName]>();
  private orgs: Map<string, number> | null = null;
  constructor(private readonly db: Db, readonly token: string, readonly meta: Meta) {}

  /** Each organisation's index in meta.orgs. */
  orgIndex(): Map<string, number> {
    return (this.orgs ??= new Map(this.meta.orgs.map((id, i) => [id, i])));
  }

  /** Read within the transaction that read the token (queryTotals holds one). */
  get<K extends ColumnName>(name: K): Arrays[K] {
    let a = this.loaded.get(name);
    if (!a) {
      const buf = statement(this.db, 'SELECT data FROM totals_column WHERE name = ?').raw(false).all(name) as { data: Buffer }[];
      if (!buf.length) throw new Error(`totals column ${name} is missing`);
      a = view(name, buf[0].data, this.meta);
      this.loaded.set(name, a);
    }
    return a as Arrays[K];
  }
}

function view(name: ColumnName, b: Buffer, meta: Meta): Arrays[ColumnName] {
  const Type = name === 'amount' ? (meta.amount === 'i32' ? Int32Array : Float64Array) : LAYOUT[name]!;
  // A typed array must start at a multiple of its element size: copy when the blob's bytes do not.
  const bytes = b.byteOffset % Type.BYTES_PER_ELEMENT === 0 ? b : Buffer.from(b);
  return new Type(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength / Type.BYTES_PER_ELEMENT);
}

const held = new WeakMap<Db, TotalsColumns>();

/** The register's current columns, or null when it has none (small, or changed since the last import). */
export function totalsColumns(db: Db): TotalsColumns | null {
  let token: string;
  try {
    const row = statement(db, "SELECT data FROM totals_column WHERE name = 'token'").raw(true).all() as [Buffer][];
    if (!row.length) return null;
    token = row[0][0].toString('hex');
  } catch {
    return null; // a register not yet migrated (opened read-only)
  }
  const have = held.get(db);
  if (have?.token === token) return have;
  const m = statement(db, "SELECT data FROM totals_column WHERE name = 'meta'").raw(true).all() as [Buffer][];
  if (!m.length) return null;
  const meta = JSON.parse(m[0][0].toString('utf8')) as Meta;
  if (meta.version !== VERSION) return null;
  const cols = new TotalsColumns(db, token, meta);
  held.set(db, cols);
  return cols;
}

/** An ISO date as the number YYYYMMDD (ordered as the text is). */
export const dateNumber = (d: string): number => Number(d.slice(0, 4)) * 10_000 + Number(d.slice(5, 7)) * 100 + Number(d.slice(8, 10));

class Dictionary<T> {
  readonly list: T[] = [];
  private readonly index = new Map<string, number>();
  of(value: T, key: string): number {
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(value);
      this.index.set(key, i);
    }
    return i;
  }
}

/**
 * Write the register's columns (within the caller's write transaction), replacing any. Returns
 * false, writing none, when the register holds what they cannot hold exactly.
 *
 * Each column is read from SQLite as one JSON array (json_group_array over the table in rowid
 * order, NOT INDEXED so that every column lists the lines in the same order): at a million lines
 * about 0.1 s a column, where reading rows one by one takes over a second.
 */
export function writeTotalsColumns(db: Db): boolean {
  db.prepare('DELETE FROM totals_column').run();
  try {
    return writeColumns(db);
  } catch {
    // A value JSON cannot carry (a BLOB where text belongs, say): no columns, and totals from SQL.
    db.prepare('DELETE FROM totals_column').run();
    return false;
  }
}

function writeColumns(db: Db): boolean {
  const column = <T>(expr: string): T[] => JSON.parse(db.prepare(`SELECT json_group_array(${expr}) FROM allocation NOT INDEXED`).pluck().get() as string) as T[];
  const grants = column<number>('grant_rowid');
  const n = grants.length;
  const aligned = <T>(list: T[]): T[] => {
    if (list.length !== n) throw new Error('the money lines changed while their totals columns were written');
    return list;
  };
  // What the arrays hold exactly: whole amounts whose sum (added in doubles) stays within 2^53,
  // years within a 16-bit integer.
  const year = (y: number | null) => y === null || (Number.isInteger(y) && y > NO_YEAR && y <= 32767);
  const years = (expr: string) => {
    const list = aligned(column<number | null>(expr));
    return list.every(year) ? list : null;
  };
  const fy = years('financial_year');
  const fyFrom = years('fy_from');
  const fyTo = years('fy_to');
  const amounts = aligned(column<number | null>('amount_pence'));
  let sumAbs = 0;
  let small = true;
  for (const x of amounts) {
    if (x === null) continue;
    if (!Number.isSafeInteger(x)) return false;
    sumAbs += Math.abs(x);
    if (x < -0x80000000 || x > 0x7fffffff) small = false;
  }
  if (!fy || !fyFrom || !fyTo || sumAbs > Number.MAX_SAFE_INTEGER) return false;
  let maxGrant = (db.prepare('SELECT max(rowid) FROM grants').pluck().get() as number | null) ?? 0;
  let minGrant = (db.prepare('SELECT min(rowid) FROM grants').pluck().get() as number | null) ?? 0;
  for (const g of grants) {
    if (g > maxGrant) maxGrant = g;
    if (g < minGrant) minGrant = g;
  }
  // Arrays by grant rowid index from 0: a negative rowid (made by hand) leaves totals to SQL.
  if (minGrant < 0) return false;
  const grantSlots = maxGrant + 1;
  // Arrays by grant rowid: not for rowids far sparser than the grants (memory would not be worth it).
  const grantCount = db.prepare('SELECT count(*) FROM grants').pluck().get() as number;
  if (maxGrant > 0x7fffffff || grantSlots > 4 * Math.max(n, grantCount) + 1_000_000) return false;

  // The few grants withdrawn or not in GBP (a partial index holds them); every other is plain.
  const currencies = new Dictionary<string>();
  currencies.of('GBP', 'GBP');
  const special = new Uint16Array(grantSlots); // currency index + 1, and 0x8000 when withdrawn
  for (const [rowid, currency, withdrawn] of db.prepare("SELECT rowid, currency, withdrawn_at IS NOT NULL FROM grants WHERE withdrawn_at IS NOT NULL OR currency <> 'GBP'").raw().iterate() as Iterable<[number, string, number]>) {
    special[rowid] = (currencies.of(currency, currency) + 1) | (withdrawn ? 0x8000 : 0);
  }
  if (currencies.list.length > 256) return false;

  const a = {} as Arrays;
  const ints = <A extends Int32Array | Int16Array | Uint8Array>(into: A, values: (number | null)[], none: number): A => {
    for (let i = 0; i < values.length; i++) into[i] = values[i] ?? none;
    return into;
  };
  a.grant = ints(new Int32Array(n), grants, 0);
  a.fy = ints(new Int16Array(n), fy, NO_YEAR);
  a.fyFrom = ints(new Int16Array(n), fyFrom, NO_YEAR);
  a.fyTo = ints(new Int16Array(n), fyTo, NO_YEAR);
  a.amount = ints(small ? new Int32Array(n) : (new Float64Array(n) as unknown as Int32Array), amounts, 0);
  a.flags = ints(new Uint8Array(n), aligned(column<number>(`(amount_pence IS NULL) * ${FLAG.noAmount} + (basis = 'maximum') * ${FLAG.maximum}
    + (superseded = 1) * ${FLAG.supersededOne} + (superseded <> 0) * ${FLAG.superseded}`)), 0);
  a.currency = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const s = special[a.grant[i]];
    if (s === 0) continue;
    a.currency[i] = (s & 0xff) - 1;
    if (s & 0x8000) a.flags[i] |= FLAG.withdrawn;
  }
  const orgs = new Dictionary<string>();
  const streams = new Dictionary<string>();
  const coded = (values: (string | null)[], d: Dictionary<string>) => {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = values[i] === null ? NONE : d.of(values[i]!, values[i]!);
    return out;
  };
  a.recipient = coded(aligned(column<string | null>('recipient_org_id')), orgs);
  a.funder = coded(aligned(column<string | null>('funder_org_id')), orgs);
  a.stream = coded(aligned(column<string | null>('stream')), streams);

  // Per grant: running dates as numbers (when every one is a plain ISO date), and the programme.
  let active = true;
  a.activeFrom = new Int32Array(grantSlots);
  a.activeTo = new Int32Array(grantSlots);
  a.programme = new Int32Array(grantSlots).fill(NONE);
  const programmes = new Dictionary<[string | null, string | null]>();
  // One statement, each field one JSON array (reading a million grants row by row takes over a
  // second); dates as numbers YYYYMMDD, or -1 for one that is not a plain ISO date. Each array is
  // parsed only when the one before has been used (a million strings take tens of MiB).
  // (0 means neither date: '0000-00-00', which would read as 0, is left to SQL like any date not plain.)
  const date = (x: string) => `CASE WHEN ${x} IS NULL THEN 0 WHEN ${x} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' AND ${x} <> '0000-00-00'
    THEN CAST(replace(${x}, '-', '') AS INTEGER) ELSE -1 END`;
  const json = db.prepare(`SELECT json_group_array(rowid), json_group_array(${date('coalesce(planned_start, planned_end)')}),
      json_group_array(${date('coalesce(planned_end, planned_start)')}), json_group_array(programme_code), json_group_array(programme_title)
    FROM grants WHERE planned_start IS NOT NULL OR planned_end IS NOT NULL OR programme_code IS NOT NULL OR programme_title IS NOT NULL`).raw().get() as string[];
  const rowids = JSON.parse(json[0]) as number[];
  for (const [k, into] of [[1, a.activeFrom], [2, a.activeTo]] as const) {
    const dates = JSON.parse(json[k]) as number[];
    for (let i = 0; i < rowids.length; i++) {
      if (dates[i] < 0) active = false;
      into[rowids[i]] = dates[i];
    }
  }
  const codes = JSON.parse(json[3]) as (string | null)[];
  json[3] = '';
  const titles = JSON.parse(json[4]) as (string | null)[];
  json[4] = '';
  for (let i = 0; i < rowids.length; i++) {
    const code = codes[i];
    const title = titles[i];
    if (code !== null || title !== null) a.programme[rowids[i]] = programmes.of([code, title], JSON.stringify([code, title]));
  }

  const meta: Meta = {
    version: VERSION, lines: n, grantSlots, amount: small ? 'i32' : 'f64', active,
    orgs: orgs.list, streams: streams.list, programmes: programmes.list, currencies: currencies.list,
  };
  const put = db.prepare('INSERT INTO totals_column (name, data) VALUES (?, ?)');
  const bytes = (x: ArrayBufferView) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  for (const name of Object.keys(LAYOUT) as ColumnName[]) {
    if ((name === 'activeFrom' || name === 'activeTo') && !active) continue;
    put.run(name, bytes(a[name]));
  }
  put.run('meta', Buffer.from(JSON.stringify(meta), 'utf8'));
  put.run('token', randomBytes(16));
  return true;
}

/** Whether the register holds a set of columns (current: stale ones are deleted). */
export function hasTotalsColumns(db: Db): boolean {
  return db.prepare("SELECT 1 FROM totals_column WHERE name = 'token'").get() !== undefined;
}
