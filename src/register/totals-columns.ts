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
  /** Lines (or grants) read from SQLite per statement: a chunk's JSON stays a few MiB (tests set it lower). */
  chunk: 65_536,
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

const LINE_COLUMNS = ['grant', 'fy', 'fyFrom', 'fyTo', 'amount', 'flags', 'currency', 'recipient', 'funder', 'stream'] as const;
const GRANT_COLUMNS = ['activeFrom', 'activeTo', 'programme'] as const;

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
 * The lines and grants are read from SQLite COLUMNS.chunk rows at a time, each field of a chunk as one JSON
 * array (json_group_array): at a million lines about 1.5 s in all, where reading rows one by one
 * takes over 3 s, and the chunks keep an import's peak memory where it was.
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

/**
 * The rows of `table` in rowid order, COLUMNS.chunk at a time, each field of a chunk one JSON array (from
 * one statement, so the arrays list the same rows in the same order); `each` is given them parsed.
 */
function readChunks(db: Db, table: string, exprs: string[], where: string, each: (fields: unknown[][]) => void): void {
  const bound = db.prepare(`SELECT rowid FROM ${table} WHERE rowid > ? ORDER BY rowid LIMIT 1 OFFSET ${COLUMNS.chunk - 1}`).pluck();
  const last = db.prepare(`SELECT max(rowid) FROM ${table}`).pluck().get() as number | null;
  const chunk = db.prepare(`SELECT ${exprs.map((e) => `json_group_array(${e})`).join(', ')} FROM ${table} WHERE rowid > ? AND rowid <= ? AND (${where})`).raw();
  if (last === null) return;
  let after = (db.prepare(`SELECT min(rowid) FROM ${table}`).pluck().get() as number) - 1;
  while (after < last) {
    const upTo = (bound.get(after) as number | undefined) ?? last;
    each((chunk.get(after, upTo) as string[]).map((json) => JSON.parse(json) as unknown[]));
    after = upTo;
  }
}

function writeColumns(db: Db): boolean {
  const [n, minGrant, maxLineGrant, largest] = db.prepare('SELECT count(*), min(grant_rowid), max(grant_rowid), max(abs(amount_pence)) FROM allocation').raw().get() as [number, number | null, number | null, number | null];
  // Amounts in 32 bits when every one fits (most registers), else in doubles.
  const small = (largest ?? 0) <= 0x7fffffff;
  const [grantCount, minRowid, maxRowid] = db.prepare('SELECT count(*), min(rowid), max(rowid) FROM grants').raw().get() as [number, number | null, number | null];
  // Arrays by grant rowid, from 0: not for a negative rowid (made by hand), nor for rowids far
  // sparser than the grants (memory would not be worth it).
  if (Math.min(minGrant ?? 0, minRowid ?? 0) < 0) return false;
  const maxGrant = Math.max(maxLineGrant ?? 0, maxRowid ?? 0);
  const grantSlots = maxGrant + 1;
  if (maxGrant > 0x7fffffff || grantSlots > 4 * Math.max(n, grantCount) + 1_000_000) return false;

  // The few grants withdrawn or not in GBP (a partial index holds them); every other is plain.
  const currencies = new Dictionary<string>();
  currencies.of('GBP', 'GBP');
  const special = new Uint16Array(grantSlots); // currency index + 1, and 0x8000 when withdrawn
  for (const [rowid, currency, withdrawn] of db.prepare("SELECT rowid, currency, withdrawn_at IS NOT NULL FROM grants WHERE withdrawn_at IS NOT NULL OR currency <> 'GBP'").raw().iterate() as Iterable<[number, string, number]>) {
    special[rowid] = (currencies.of(currency, currency) + 1) | (withdrawn ? 0x8000 : 0);
  }
  if (currencies.list.length > 256) return false;

  const a: Arrays = {
    grant: new Int32Array(n), fy: new Int16Array(n), fyFrom: new Int16Array(n), fyTo: new Int16Array(n), amount: small ? new Int32Array(n) : new Float64Array(n),
    flags: new Uint8Array(n), currency: new Uint8Array(n), recipient: new Int32Array(n), funder: new Int32Array(n), stream: new Int32Array(n),
    activeFrom: new Int32Array(grantSlots), activeTo: new Int32Array(grantSlots), programme: new Int32Array(grantSlots).fill(NONE),
  };
  const orgs = new Dictionary<string>();
  const streams = new Dictionary<string>();
  // What the arrays hold exactly: whole amounts whose sum (added in doubles) stays within 2^53,
  // years within a 16-bit integer.
  const year = (y: unknown) => y === null || (Number.isInteger(y) && (y as number) > NO_YEAR && (y as number) <= 32767);
  let fits = true;
  let sumAbs = 0;
  let i = 0;
  const flags = `(amount_pence IS NULL) * ${FLAG.noAmount} + (basis = 'maximum') * ${FLAG.maximum} + (superseded = 1) * ${FLAG.supersededOne} + (superseded <> 0) * ${FLAG.superseded}`;
  readChunks(db, 'allocation', ['grant_rowid', 'financial_year', 'fy_from', 'fy_to', 'amount_pence', flags, 'recipient_org_id', 'funder_org_id', 'stream'], '1', (f) => {
    const [grant, fy, from, to, amount, flag, recipient, funder, stream] = f as [number[], (number | null)[], (number | null)[], (number | null)[], (number | null)[], number[], (string | null)[], (string | null)[], (string | null)[]];
    if (i + grant.length > n) throw new Error('the money lines changed while their totals columns were written');
    for (let k = 0; k < grant.length; k++, i++) {
      if (!year(fy[k]) || !year(from[k]) || !year(to[k])) fits = false;
      const g = grant[k];
      a.grant[i] = g;
      a.fy[i] = fy[k] ?? NO_YEAR;
      a.fyFrom[i] = from[k] ?? NO_YEAR;
      a.fyTo[i] = to[k] ?? NO_YEAR;
      const x = amount[k];
      if (x !== null) {
        if (!Number.isSafeInteger(x)) fits = false;
        a.amount[i] = x;
        sumAbs += Math.abs(x);
      }
      let fl = flag[k];
      const sp = special[g];
      if (sp !== 0) {
        a.currency[i] = (sp & 0xff) - 1;
        if (sp & 0x8000) fl |= FLAG.withdrawn;
      }
      a.flags[i] = fl;
      a.recipient[i] = recipient[k] === null ? NONE : orgs.of(recipient[k]!, recipient[k]!);
      a.funder[i] = funder[k] === null ? NONE : orgs.of(funder[k]!, funder[k]!);
      a.stream[i] = stream[k] === null ? NONE : streams.of(stream[k]!, stream[k]!);
    }
  });
  if (i !== n) throw new Error('the money lines changed while their totals columns were written');
  if (!fits || sumAbs > Number.MAX_SAFE_INTEGER) return false;
  // The lines' columns are written now, before the grants are read: the process never holds both
  // (an import's peak memory is measured, issue 9).
  const put = db.prepare('INSERT INTO totals_column (name, data) VALUES (?, ?)');
  const bytes = (x: ArrayBufferView) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  for (const name of LINE_COLUMNS) {
    put.run(name, bytes(a[name]));
    (a as Partial<Arrays>)[name] = undefined;
  }

  // Per grant: running dates as numbers YYYYMMDD, or -1 for one that is not a plain ISO date
  // (when any is, --active-in is left to SQL); 0 for neither ('0000-00-00', which would read as 0,
  // is not plain). And the programme.
  let active = true;
  const programmes = new Dictionary<[string | null, string | null]>();
  const date = (x: string) => `CASE WHEN ${x} IS NULL THEN 0 WHEN ${x} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' AND ${x} <> '0000-00-00'
    THEN CAST(replace(${x}, '-', '') AS INTEGER) ELSE -1 END`;
  readChunks(db, 'grants', ['rowid', date('coalesce(planned_start, planned_end)'), date('coalesce(planned_end, planned_start)'), 'programme_code', 'programme_title'],
    'planned_start IS NOT NULL OR planned_end IS NOT NULL OR programme_code IS NOT NULL OR programme_title IS NOT NULL', (f) => {
      const [rowids, froms, tos, codes, titles] = f as [number[], number[], number[], (string | null)[], (string | null)[]];
      for (let k = 0; k < rowids.length; k++) {
        const g = rowids[k];
        if (froms[k] < 0 || tos[k] < 0) active = false;
        a.activeFrom[g] = froms[k];
        a.activeTo[g] = tos[k];
        const code = codes[k];
        const title = titles[k];
        if (code !== null || title !== null) a.programme[g] = programmes.of([code, title], JSON.stringify([code, title]));
      }
    });

  const meta: Meta = {
    version: VERSION, lines: n, grantSlots, amount: small ? 'i32' : 'f64', active,
    orgs: orgs.list, streams: streams.list, programmes: programmes.list, currencies: currencies.list,
  };
  for (const name of GRANT_COLUMNS) {
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
