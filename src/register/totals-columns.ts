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

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
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
 */
export function writeTotalsColumns(db: Db): boolean {
  db.prepare('DELETE FROM totals_column').run();
  const n = (db.prepare('SELECT count(*) FROM allocation').pluck().get() as number) ?? 0;
  const grantSlots = ((db.prepare('SELECT max(rowid) FROM grants').pluck().get() as number | null) ?? 0) + 1;
  const yearOk = (y: number | null) => y === null || (Number.isInteger(y) && y > NO_YEAR && y <= 32767);

  // The few grants withdrawn or not in GBP (a partial index holds them); every other is plain.
  const currencies = new Dictionary<string>();
  currencies.of('GBP', 'GBP');
  const special = new Map<number, number>();
  for (const [rowid, currency, withdrawn] of db.prepare("SELECT rowid, currency, withdrawn_at IS NOT NULL FROM grants WHERE withdrawn_at IS NOT NULL OR currency <> 'GBP'").raw().iterate() as Iterable<[number, string, number]>) {
    special.set(rowid, currencies.of(currency, currency) | (withdrawn ? 0x100 : 0));
  }
  if (currencies.list.length > 256) return false;

  const orgs = new Dictionary<string>();
  const streams = new Dictionary<string>();
  const a: Arrays = {
    grant: new Int32Array(n), fy: new Int16Array(n), fyFrom: new Int16Array(n), fyTo: new Int16Array(n), amount: new Float64Array(n),
    flags: new Uint8Array(n), currency: new Uint8Array(n), recipient: new Int32Array(n), funder: new Int32Array(n), stream: new Int32Array(n),
    activeFrom: new Int32Array(grantSlots), activeTo: new Int32Array(grantSlots), programme: new Int32Array(grantSlots).fill(NONE),
  };
  let i = 0;
  let sumAbs = 0;
  let small = true;
  const lines = db.prepare(`SELECT grant_rowid, financial_year, fy_from, fy_to, amount_pence, basis = 'maximum', superseded, recipient_org_id, funder_org_id, stream
    FROM allocation`).raw();
  for (const [g, fy, from, to, amount, maximum, superseded, recipient, funder, stream] of lines.iterate() as Iterable<[number, number | null, number | null, number | null, number | null, number, number, string | null, string | null, string | null]>) {
    if (i >= n || g >= grantSlots || !yearOk(fy) || !yearOk(from) || !yearOk(to)) return false;
    if (amount !== null && !Number.isSafeInteger(amount)) return false;
    a.grant[i] = g;
    a.fy[i] = fy ?? NO_YEAR;
    a.fyFrom[i] = from ?? NO_YEAR;
    a.fyTo[i] = to ?? NO_YEAR;
    let f = 0;
    if (amount === null) f |= FLAG.noAmount;
    else {
      a.amount[i] = amount;
      sumAbs += Math.abs(amount);
      if (amount < -0x80000000 || amount > 0x7fffffff) small = false;
    }
    if (maximum) f |= FLAG.maximum;
    if (superseded === 1) f |= FLAG.supersededOne;
    if (superseded !== 0) f |= FLAG.superseded;
    const s = special.get(g);
    if (s !== undefined) {
      a.currency[i] = s & 0xff;
      if (s & 0x100) f |= FLAG.withdrawn;
    }
    a.flags[i] = f;
    a.recipient[i] = recipient === null ? NONE : orgs.of(recipient, recipient);
    a.funder[i] = funder === null ? NONE : orgs.of(funder, funder);
    a.stream[i] = stream === null ? NONE : streams.of(stream, stream);
    i++;
  }
  // Sums are added in doubles: exact while every partial sum is within 2^53.
  if (i !== n || sumAbs > Number.MAX_SAFE_INTEGER) return false;

  let active = true;
  const programmes = new Dictionary<[string | null, string | null]>();
  for (const [g, from, to, code, title] of db.prepare(`SELECT rowid, coalesce(planned_start, planned_end), coalesce(planned_end, planned_start), programme_code, programme_title
    FROM grants`).raw().iterate() as Iterable<[number, string | null, string | null, string | null, string | null]>) {
    if (g >= grantSlots) return false;
    if (from !== null && to !== null && active) {
      if (typeof from === 'string' && typeof to === 'string' && ISO_DATE.test(from) && ISO_DATE.test(to)) {
        a.activeFrom[g] = dateNumber(from);
        a.activeTo[g] = dateNumber(to);
      } else active = false;
    }
    if (code !== null || title !== null) a.programme[g] = programmes.of([code, title], JSON.stringify([code, title]));
  }

  const meta: Meta = {
    version: VERSION, lines: n, grantSlots, amount: small ? 'i32' : 'f64', active,
    orgs: orgs.list, streams: streams.list, programmes: programmes.list, currencies: currencies.list,
  };
  const put = db.prepare('INSERT INTO totals_column (name, data) VALUES (?, ?)');
  const bytes = (x: ArrayBufferView) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  for (const name of Object.keys(LAYOUT) as ColumnName[]) {
    if (name === 'amount') put.run(name, bytes(small ? Int32Array.from(a.amount) : a.amount));
    else if ((name === 'activeFrom' || name === 'activeTo') && !active) continue;
    else put.run(name, bytes(a[name]));
  }
  put.run('meta', Buffer.from(JSON.stringify(meta), 'utf8'));
  put.run('token', randomBytes(16));
  return true;
}

/** Whether the register holds a set of columns (current: stale ones are deleted). */
export function hasTotalsColumns(db: Db): boolean {
  return db.prepare("SELECT 1 FROM totals_column WHERE name = 'token'").get() !== undefined;
}
