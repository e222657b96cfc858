/**
 * A large 360Giving flat CSV made by replicating a real published file (Lloyds Bank Foundation
 * 2010-2015, 4,116 grants). Copy k of each grant gets a new unique id (`<id>-B<k>`) and its
 * award and planned dates shifted by the same (k × 37 mod 1461) days, so copies spread over
 * about ten financial years (2009-10 to 2019-20) and no date lands in the future. Dates keep
 * the source's date-time form (`2015-06-10T00:00:00+00:00`), as published. Beneficiary
 * Location:Name is the recipient's city (the source has no beneficiary locations).
 *
 * The file is reused when a sidecar stamp matches the source file and these parameters.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';

export const COLUMNS = [
  'Identifier', 'Title', 'Description', 'Currency', 'Amount Awarded', 'Award Date',
  'Recipient Org:Identifier', 'Recipient Org:Name', 'Recipient Org:Charity Number', 'Recipient Org:Company Number',
  'Recipient Org:City', 'Recipient Org:Postal Code', 'Funding Org:Identifier', 'Funding Org:Name',
  'Grant Programme:Code', 'Grant Programme:Title', 'Planned Dates:Start Date', 'Planned Dates:End Date',
  'Planned Dates:Duration (months)', 'Beneficiary Location:Name', 'From An Open Call?', 'Last Modified', 'Data Source',
] as const;

const GENERATOR_VERSION = 2;
const SHIFT_STEP_DAYS = 37;
const SHIFT_RANGE_DAYS = 1461; // four years
const LAST_MODIFIED = '2016-02-01T10:00:00+00:00';
const DATA_SOURCE = 'https://www.lloydsbankfoundation.org.uk/';

type Obj = Record<string, unknown>;

export interface CsvInfo {
  path: string;
  rows: number;
  bytes: number;
  sourceGrants: number;
  reused: boolean;
  ms: number;
}

function csvField(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const DAY = 86_400_000;

/** `2015-06-10T00:00:00+00:00` shifted by n days, keeping the time part as written. */
function shiftDate(v: unknown, days: number): string {
  if (typeof v !== 'string' || !v) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})(.*)$/.exec(v);
  if (!m) return v;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]) + days * DAY);
  return d.toISOString().slice(0, 10) + m[4];
}

interface Template {
  id: string;
  /** Fields before the award date, after the id. */
  head: string;
  awardDate: unknown;
  /** Recipient … Grant Programme fields, between award date and planned start. */
  middle: string;
  start: unknown;
  end: unknown;
  tail: string;
}

function templateOf(g: Obj): Template {
  const first = (k: string): Obj => ((g[k] as Obj[] | undefined)?.[0] ?? {}) as Obj;
  const r = first('recipientOrganization');
  const f = first('fundingOrganization');
  const p = first('grantProgramme');
  const pd = first('plannedDates');
  const amount = typeof g.amountAwarded === 'number' ? Number(g.amountAwarded.toFixed(2)) : g.amountAwarded;
  return {
    id: String(g.id),
    head: [g.title, g.description, g.currency, amount].map(csvField).join(','),
    awardDate: g.awardDate,
    middle: [r.id, r.name, r.charityNumber, r.companyNumber, r.addressLocality, r.postalCode, f.id, f.name, p.code, p.title]
      .map(csvField).join(','),
    start: pd.startDate,
    end: pd.endDate,
    tail: [pd.duration, r.addressLocality, g.fromOpenCall, LAST_MODIFIED, DATA_SOURCE].map(csvField).join(','),
  };
}

/** Write (or reuse) `out` with `rows` data rows replicated from the 360Giving JSON package `source`. */
export function makeBigCsv(source: string, out: string, rows: number): CsvInfo {
  const t0 = performance.now();
  const st = statSync(source);
  const stamp = JSON.stringify({ v: GENERATOR_VERSION, rows, source, size: st.size, mtime: st.mtimeMs });
  const stampFile = `${out}.stamp`;
  if (existsSync(out) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    const sourceGrants = (JSON.parse(readFileSync(source, 'utf8')) as { grants: unknown[] }).grants.length;
    return { path: out, rows, bytes: statSync(out).size, sourceGrants, reused: true, ms: performance.now() - t0 };
  }
  const grants = (JSON.parse(readFileSync(source, 'utf8')) as { grants: Obj[] }).grants;
  const templates = grants.map(templateOf);
  if (new Set(templates.map((t) => t.id)).size !== templates.length) throw new Error(`${source}: grant ids are not unique`);
  const tmp = `${out}.tmp`;
  const fd = openSync(tmp, 'w');
  let buf = COLUMNS.join(',') + '\r\n';
  let written = 0;
  try {
    for (let k = 0; written < rows; k++) {
      const shift = (k * SHIFT_STEP_DAYS) % SHIFT_RANGE_DAYS;
      const suffix = `-B${String(k).padStart(4, '0')}`;
      for (let i = 0; i < templates.length && written < rows; i++, written++) {
        const t = templates[i];
        buf += `${csvField(t.id + suffix)},${t.head},${shiftDate(t.awardDate, shift)},${t.middle},${shiftDate(t.start, shift)},${shiftDate(t.end, shift)},${t.tail}\r\n`;
        if (buf.length > 1 << 20) {
          writeSync(fd, buf);
          buf = '';
        }
      }
    }
    writeSync(fd, buf);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, out);
  writeFileSync(stampFile, stamp);
  return { path: out, rows, bytes: statSync(out).size, sourceGrants: grants.length, reused: false, ms: performance.now() - t0 };
}

/** The header and the first `rows` data rows of a CSV made by makeBigCsv (no quoted line breaks in it). */
export function headCsv(big: string, out: string, rows: number): string {
  const stampFile = `${out}.stamp`;
  const stamp = JSON.stringify({ big, rows, size: statSync(big).size, mtime: statSync(big).mtimeMs });
  if (existsSync(out) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return out;
  const fd = openSync(big, 'r');
  const chunk = Buffer.alloc(1 << 20);
  const parts: Buffer[] = [];
  let lines = 0;
  let inQuote = false;
  try {
    outer: for (;;) {
      const n = readSync(fd, chunk);
      if (n === 0) break;
      for (let i = 0; i < n; i++) {
        const c = chunk[i];
        if (c === 34) inQuote = !inQuote;
        else if (c === 10 && !inQuote && ++lines === rows + 1) {
          parts.push(Buffer.from(chunk.subarray(0, i + 1)));
          break outer;
        }
      }
      parts.push(Buffer.from(chunk.subarray(0, n)));
    }
  } finally {
    closeSync(fd);
  }
  writeFileSync(out, Buffer.concat(parts));
  writeFileSync(stampFile, stamp);
  return out;
}
