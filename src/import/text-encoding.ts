/**
 * Text encodings of imported files. Files are UTF-8 unless the officer says otherwise
 * (`foi import --encoding windows-1252`); bytes that are not valid in the file's encoding are an
 * error naming the byte offset, never a silent U+FFFD (decoding is always fatal). A U+FFFD that
 * is really in a UTF-8 file (bytes EF BF BD) is the publisher's and is kept, with a notice.
 *
 * Streams are checked or transcoded a chunk at a time: a character split across chunks is
 * carried to the next, and the output is always UTF-8 bytes of whole characters, so the byte
 * scanners (JSON, CSV) need not know the file's encoding.
 */
import { isUtf8 } from 'node:buffer';
import { DataError, UsageError } from '../core/errors.js';

/** Bytes that are not text in the file's encoding. */
export class EncodingError extends DataError {
  constructor(
    readonly file: string,
    /** 0-based byte offset of the first bad byte in the file. */
    readonly offset: number,
    readonly problem: string,
  ) {
    super(`${file}: byte ${offset}: ${problem}`);
  }
}

/** Bytes common in Windows-1252 files, for the hint. */
const CP1252_HINTS: Record<number, string> = { 0xa3: '£', 0x80: '€', 0xe9: 'é', 0x92: '’', 0x93: '“', 0x96: '–' };

/** The hint for a file that is not UTF-8: what it probably is and the two ways out. */
export function notUtf8Problem(bytes: Buffer, at: number): string {
  const shown = [...bytes.subarray(at, at + 3)].map((b) => `0x${b.toString(16).toUpperCase().padStart(2, '0')}`).join(' ');
  const known = CP1252_HINTS[bytes[at]];
  const pound = known ? ` (0x${bytes[at].toString(16).toUpperCase()} is "${known}" in Windows-1252)` : '';
  return `the file is not UTF-8 text (bytes ${shown}${pound}); files saved by Excel as "CSV" or by older systems are often Windows-1252: save it as UTF-8 ("CSV UTF-8"), or import it with --encoding windows-1252`;
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence, or -1. */
export function firstBadUtf8(b: Buffer): number {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) [need, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [need, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    if (i + need >= n) return i; // truncated at the end
    let cp = c & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** Checks an encoding label (`windows-1252`, `latin1`, `utf-16le`); unknown ones are a usage error. */
export function checkEncoding(label: string): string {
  try {
    return new TextDecoder(label).encoding;
  } catch {
    throw new UsageError(`--encoding "${label}": not an encoding this Node knows; try utf-8, windows-1252, iso-8859-1 or utf-16le`);
  }
}

/** True for UTF-8 under any of its labels (no transcoding needed, only checking). */
export function isUtf8Label(label: string | undefined): boolean {
  return label === undefined || checkEncoding(label) === 'utf-8';
}

/**
 * A file's bytes, chunk by chunk, as checked UTF-8 bytes of whole characters. For UTF-8 the
 * bytes pass through unchanged (checked with buffer.isUtf8, native and fast); any other encoding
 * is decoded fatally and re-encoded.
 */
export class Utf8Bytes {
  private carry: Buffer | null = null;
  /** File offset of the next byte pushed. */
  private offset = 0;
  private readonly decoder: TextDecoder | null;
  /** File offset of the first U+FFFD found in the source (a UTF-8 file's own), or -1. */
  replacementAt = -1;

  constructor(
    private readonly file: string,
    encoding?: string,
  ) {
    this.decoder = isUtf8Label(encoding) ? null : new TextDecoder(encoding, { fatal: true });
  }

  push(chunk: Buffer): Buffer {
    if (this.decoder) return this.transcode(chunk, true);
    const data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const start = this.offset - (this.carry ? this.carry.length : 0);
    this.offset += chunk.length;
    const cut = completeLength(data);
    this.carry = cut < data.length ? Buffer.from(data.subarray(cut)) : null;
    const part = cut === data.length ? data : data.subarray(0, cut);
    this.check(part, start);
    return part;
  }

  end(): Buffer {
    if (this.decoder) return this.transcode(Buffer.alloc(0), false);
    const c = this.carry;
    this.carry = null;
    if (!c) return Buffer.alloc(0);
    this.check(c, this.offset - c.length, true);
    return c;
  }

  private check(part: Buffer, start: number, atEnd = false): void {
    if (!isUtf8(part)) {
      const at = firstBadUtf8(part);
      const k = at === -1 ? 0 : at;
      throw new EncodingError(this.file, start + k, atEnd && at === -1 ? 'the file ends in the middle of a UTF-8 character; the file looks truncated' : notUtf8Problem(part, k));
    }
    if (this.replacementAt === -1) {
      const r = part.indexOf(REPLACEMENT);
      if (r !== -1) this.replacementAt = start + r;
    }
  }

  private transcode(chunk: Buffer, stream: boolean): Buffer {
    const start = this.offset;
    this.offset += chunk.length;
    try {
      return Buffer.from(this.decoder!.decode(chunk, { stream }), 'utf8');
    } catch {
      // Fatal decoders do not say where: find the first byte that does not decode on its own.
      throw new EncodingError(this.file, start + badByteIn(chunk, this.decoder!.encoding), `the file is not ${this.decoder!.encoding} text here; check the encoding you gave with --encoding`);
    }
  }
}

const REPLACEMENT = Buffer.from([0xef, 0xbf, 0xbd]);

/** The length of the part of `data` that ends on a whole UTF-8 character. */
function completeLength(data: Buffer): number {
  const n = data.length;
  for (let k = n - 1; k >= 0 && k >= n - 4; k--) {
    const b = data[k];
    if ((b & 0xc0) === 0x80) continue; // continuation byte
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      if (k + need > n) return k;
    }
    break;
  }
  return n;
}

function badByteIn(chunk: Buffer, encoding: string): number {
  for (let i = 0; i < chunk.length; i++) {
    try {
      new TextDecoder(encoding, { fatal: true }).decode(chunk.subarray(i, i + 1));
    } catch {
      return i;
    }
  }
  return 0;
}

/** A whole file's text, checked (UTF-8) or decoded (any other encoding), BOM dropped. */
export function decodeFile(bytes: Buffer, file: string, encoding?: string): { text: string; replacementAt: number } {
  const u = new Utf8Bytes(file, encoding);
  const b = Buffer.concat([u.push(bytes), u.end()]);
  let text = b.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text, replacementAt: u.replacementAt };
}

/** The notice for a U+FFFD found in a UTF-8 file. */
export function replacementNotice(offset: number): string {
  return `the file contains the replacement character U+FFFD (�) at byte ${offset}: a character was already lost before the file was published; it is kept as it is`;
}
