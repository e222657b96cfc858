/**
 * Streaming RFC 4180 CSV reader. Reads the file in chunks (never whole), decodes and validates
 * UTF-8 a chunk at a time (a multibyte character split across chunks is carried over; a UTF-8
 * BOM is dropped) and scans each decoded chunk with charCodeAt/indexOf, slicing fields rather
 * than building them a character at a time.
 *
 * Accepts: quoted fields with commas, quotes (`""`) and line breaks; CRLF or LF line ends, or CR
 * alone (old Mac Excel: decided by the file's first line break, and then every CR ends a line);
 * a last record without a line end. Blank lines are counted (so row numbers match what a
 * spreadsheet shows) but not yielded. Rejects, with an error naming the row: a quote that is
 * never closed, a quote inside an unquoted field, text after a closing quote, bytes that are
 * text in the file's encoding (UTF-8 unless told; see text-encoding.ts: an EncodingError names
 * the byte).
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { DataError } from '../core/errors.js';
import { Utf8Bytes } from './text-encoding.js';

export interface CsvRecord {
  /** 1-based record number; the header is row 1. A quoted line break does not start a new row. */
  row: number;
  fields: string[];
}

export interface CsvReadOptions {
  /** Bytes per read (default 256 KiB). Tests force tiny chunks to exercise boundaries. */
  chunkSize?: number;
  /** The file's encoding when it is not UTF-8 (`windows-1252`); bytes that do not decode are an EncodingError. */
  encoding?: string;
  /** Set by the reader: byte offset of the first U+FFFD in a UTF-8 file (the publisher's own), or -1. */
  found?: { replacementAt: number };
  /** Told the size of each chunk read from the file (progress by bytes). */
  onRead?: (bytes: number) => void;
}

/** A CSV file that is not well-formed. `row` is the 1-based record number where it went wrong. */
export class CsvSyntaxError extends DataError {
  readonly file: string;
  readonly row: number;
  readonly problem: string;
  constructor(file: string, row: number, problem: string) {
    super(`${file}: row ${row}: ${problem}`);
    this.file = file;
    this.row = row;
    this.problem = problem;
  }
}

/**
 * Bytes per read. 256 KiB measured fastest here: bigger chunks make bigger strings that fall
 * out of the CPU cache; smaller ones cost more system calls.
 */
export const DEFAULT_CHUNK = 256 * 1024;

const QUOTE = 34; // "
const COMMA = 44; // ,
const LF = 10;
const CR = 13;

/** Incomplete record: wait for more input. */
const MORE = -1;

/**
 * Record scanner over one decoded string buffer. Line feeds, commas and quotes are found with
 * indexOf (native, several hundred MB/s); the next line feed and quote are cached so each is
 * searched for once per occurrence, not once per field. Fields are slices of the buffer.
 */
class Scanner {
  s = '';
  len = 0;
  fields: string[] = [];
  /** Set when a record was a blank line. */
  blank = false;
  /** Next line feed / quote at or after the last search point; -1: none to the end of the buffer. */
  private lf = -1;
  private quote = -1;

  constructor(private readonly file: string) {}

  reset(s: string): void {
    this.s = s;
    this.len = s.length;
    this.lf = s.indexOf('\n');
    this.quote = s.indexOf('"');
  }

  /**
   * Scan one record starting at `pos`. Returns the position after its line end, or MORE when
   * the buffer ends first and `eof` is false. Fields go to `this.fields`.
   */
  record(pos: number, eof: boolean, row: number): number {
    const s = this.s;
    const len = this.len;
    const fields: string[] = [];
    this.fields = fields;
    this.blank = false;
    let p = pos;
    let lf = this.lf;
    if (lf !== -1 && lf < p) lf = this.lf = s.indexOf('\n', p);
    let quote = this.quote;
    if (quote !== -1 && quote < p) quote = this.quote = s.indexOf('"', p);
    for (;;) {
      if (quote === p) {
        // Quoted field: find the closing quote, joining segments around "" escapes.
        let seg = p + 1;
        let value = '';
        let q = s.indexOf('"', seg);
        for (;;) {
          if (q === -1) {
            if (!eof) return MORE;
            throw new CsvSyntaxError(this.file, row, `a quoted field (field ${fields.length + 1}) is never closed: the file ends inside quotes; check for a missing closing quote (")`);
          }
          if (q + 1 >= len && !eof) return MORE; // cannot tell `"` from `""` yet
          if (q + 1 < len && s.charCodeAt(q + 1) === QUOTE) {
            value += s.slice(seg, q + 1);
            seg = q + 2;
            q = s.indexOf('"', seg);
            continue;
          }
          value = value ? value + s.slice(seg, q) : s.slice(seg, q);
          p = q + 1;
          break;
        }
        fields.push(value);
        quote = this.quote = s.indexOf('"', p);
        if (lf !== -1 && lf < p) lf = this.lf = s.indexOf('\n', p);
        if (p >= len) {
          if (!eof) return MORE;
          return p;
        }
        const c = s.charCodeAt(p);
        if (c === COMMA) {
          p++;
          continue;
        }
        if (c === LF) return p + 1;
        if (c === CR) {
          if (p + 1 >= len) return eof ? p + 1 : MORE;
          if (s.charCodeAt(p + 1) === LF) return p + 2;
        }
        throw new CsvSyntaxError(this.file, row, `field ${fields.length} has text after its closing quote (${JSON.stringify(s.slice(p, p + 10))}); a quote inside a quoted field must be doubled ("")`);
      }
      // Unquoted field: ends at the next comma or line feed.
      const comma = s.indexOf(',', p);
      const end = comma !== -1 && (lf === -1 || comma < lf) ? comma : lf;
      if (end === -1 && !eof) return MORE;
      if (quote !== -1 && (end === -1 || quote < end)) {
        const e = end === -1 ? len : end;
        throw new CsvSyntaxError(this.file, row, `field ${fields.length + 1} has a quote (") inside an unquoted value (${JSON.stringify(s.slice(p, Math.min(e, p + 40)))}); quote the whole field and double any quotes inside it`);
      }
      if (end === -1) {
        let fe = len;
        if (fe > p && s.charCodeAt(fe - 1) === CR) fe--;
        if (fields.length === 0 && fe === p) this.blank = true;
        fields.push(s.slice(p, fe));
        return len;
      }
      if (end === comma) {
        fields.push(s.slice(p, end));
        p = end + 1;
        continue;
      }
      // Line feed: the last field; drop the CR of a CRLF line end.
      let fe = end;
      if (fe > p && s.charCodeAt(fe - 1) === CR) fe--;
      if (fields.length === 0 && fe === p) this.blank = true;
      fields.push(s.slice(p, fe));
      return end + 1;
    }
  }
}

/**
 * Records per batch. Reads are large (fewer system calls) but batches stay small, so the records
 * a consumer holds at once (and what it builds from them) die young: a batch of a whole
 * megabyte's records survives garbage collections and costs far more to collect.
 */
const BATCH = 256;

/**
 * Yields the records of a CSV file in arrays of up to 256, which saves an await per record for
 * callers that handle many. Same rows and errors as readCsvRecords.
 */
export async function* readCsvBatches(path: string, opts: CsvReadOptions = {}): AsyncGenerator<CsvRecord[]> {
  const file = basename(path);
  const stream = createReadStream(path, { highWaterMark: opts.chunkSize ?? DEFAULT_CHUNK });
  const sc = new Scanner(file);
  const bytes = new Utf8Bytes(file, opts.encoding);
  // Validity is checked above (fatal); TextDecoder's fast path decodes. ignoreBOM: a U+FEFF at
  // the start of a later chunk is data; only the file's first is dropped, below.
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let first = true;
  const lineEnds = new LineEnds();
  let rest = '';
  let row = 0;
  const decode = (b: Buffer): string => {
    let t = decoder.decode(b);
    if (first && t.length) {
      first = false;
      if (t.charCodeAt(0) === 0xfeff) t = t.slice(1);
    }
    return t;
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      opts.onRead?.(chunk.length);
      let text = decode(bytes.push(chunk));
      if (!text) continue;
      if (lineEnds.crOnly === null) {
        // Nothing is read until the first line break tells how lines end.
        text = rest + text;
        rest = '';
        if (!lineEnds.decide(text)) {
          rest = text;
          continue;
        }
      }
      if (lineEnds.crOnly) text = toLf(text);
      sc.reset(rest ? rest + text : text);
      let batch: CsvRecord[] = [];
      let pos = 0;
      while (pos < sc.len) {
        const next = sc.record(pos, false, row + 1);
        if (next === MORE) break;
        row++;
        pos = next;
        if (sc.blank) continue;
        batch.push({ row, fields: sc.fields });
        if (batch.length === BATCH) {
          yield batch;
          batch = [];
        }
      }
      rest = pos === 0 ? sc.s : sc.s.slice(pos);
      if (batch.length) yield batch;
    }
    let s = rest + decode(bytes.end());
    // A file whose only line breaks are CRs, or that ends in one: read CR as a line end.
    if (lineEnds.crOnly !== false && s.includes('\r') && !s.includes('\n')) s = toLf(s);
    if (opts.found) opts.found.replacementAt = bytes.replacementAt;
    if (s.length) {
      sc.reset(s);
      let batch: CsvRecord[] = [];
      let pos = 0;
      while (pos < sc.len) {
        pos = sc.record(pos, true, row + 1);
        row++;
        if (sc.blank) continue;
        batch.push({ row, fields: sc.fields });
        if (batch.length === BATCH) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length) yield batch;
    }
  } finally {
    stream.destroy();
  }
}

const toLf = (s: string): string => s.replace(/\r\n?/g, '\n');

/** CR-only line ends (old Mac Excel) or not, decided by the first line break in the file. */
class LineEnds {
  crOnly: boolean | null = null;
  /** Looks at the next text; true once decided. */
  decide(text: string): boolean {
    const cr = text.indexOf('\r');
    const lf = text.indexOf('\n');
    if (lf !== -1 && (cr === -1 || lf < cr)) this.crOnly = false;
    else if (cr !== -1 && cr + 1 < text.length) this.crOnly = text.charCodeAt(cr + 1) !== 10;
    return this.crOnly !== null;
  }
}

/**
 * Yields each record of a CSV file with its 1-based row number (header = row 1).
 * Throws CsvSyntaxError (naming the row) for malformed CSV or bytes that are not UTF-8.
 */
export async function* readCsvRecords(path: string, opts: CsvReadOptions = {}): AsyncGenerator<CsvRecord> {
  for await (const batch of readCsvBatches(path, opts)) {
    for (let k = 0; k < batch.length; k++) yield batch[k];
  }
}
