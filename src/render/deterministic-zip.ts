/**
 * Byte-for-byte reproducible ZIP packaging for OOXML (.docx) files.
 *
 * Zip writers stamp each entry with a DOS date/time taken from the clock, and fflate (which docx
 * uses) converts it with the *local* time-zone getters, so the same document zipped twice, or under
 * a different `TZ`, gives different bytes. `ZipArchive` reads an archive, lets entries be replaced,
 * and writes it back with a fixed entry order, one fixed DOS stamp computed arithmetically (no
 * `Date`, so no time zone), no extra fields or comments, and the original compressed bytes of
 * untouched entries copied as they are (no inflate/deflate round trip for them: it is cheap).
 *
 * Supports what OOXML packages use: stored (0) and DEFLATE (8) entries, no ZIP64, no encryption.
 */
import { createRequire } from 'node:module';
import { crc32 as zlibCrc32 } from 'node:zlib';

/**
 * fflate, loaded on first use: it builds its Huffman tables when loaded, which a letter written
 * from the build's precompressed parts never needs (a few ms of every cold `foi answer`).
 * DEFLATE is fflate's, not node:zlib's, whose output can differ between CPUs.
 */
let fflate: typeof import('fflate') | null = null;
const lib = (): typeof import('fflate') => (fflate ??= createRequire(import.meta.url)('fflate') as typeof import('fflate'));

const utf8Out = new TextEncoder();
const utf8In = new TextDecoder();
const strToU8 = (s: string): Uint8Array => utf8Out.encode(s);
const strFromU8 = (b: Uint8Array): string => utf8In.decode(b);

/** A calendar day used as every entry's modification stamp, at 12:00:00 (DOS time has no zone). */
export interface ZipStamp {
  year: number;
  month: number; // 1-12
  day: number; // 1-31
}

/** 1980-01-01, the earliest day a ZIP (DOS) timestamp can hold. */
export const DOS_EPOCH: ZipStamp = { year: 1980, month: 1, day: 1 };

/** DOS date and time words for the stamp at 12:00:00; years are clamped to 1980-2107. */
export function dosDateTime(stamp: ZipStamp): { date: number; time: number } {
  const year = Math.min(2107, Math.max(1980, Math.trunc(stamp.year)));
  const month = Math.min(12, Math.max(1, Math.trunc(stamp.month)));
  const day = Math.min(31, Math.max(1, Math.trunc(stamp.day)));
  return { date: ((year - 1980) << 9) | (month << 5) | day, time: 12 << 11 };
}

/**
 * CRC-32 (IEEE), as stored in zip headers: node:zlib's (Node 20.15 and later), twenty times
 * faster than a table in JavaScript; a letter stores ~80 KB of its own parts uncompressed.
 */
export function crc32(data: Uint8Array): number {
  return zlibCrc32(data) >>> 0;
}

/**
 * Entry order for an OOXML package: `[Content_Types].xml` first (some readers sniff it), then the
 * package relationships, then the `first` names, then everything else in code-unit order.
 */
export function ooxmlEntryOrder(names: Iterable<string>, first: readonly string[] = []): string[] {
  const all = [...new Set(names)];
  const present = new Set(all);
  const head: string[] = [];
  for (const p of ['[Content_Types].xml', '_rels/.rels', ...first]) {
    if (present.has(p) && !head.includes(p)) head.push(p);
  }
  const pinned = new Set(head);
  const rest = all.filter((n) => !pinned.has(n)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return [...head, ...rest];
}

interface RawEntry {
  method: 0 | 8;
  crc: number;
  size: number;
  compressed: Uint8Array;
  /** Decompressed bytes, once read or set. */
  data?: Uint8Array;
}

export interface ZipWriteOptions {
  /** Stamp for every entry; default 1980-01-01. */
  stamp?: ZipStamp;
  /** Names written right after `[Content_Types].xml` and `_rels/.rels`, before the sorted rest. */
  first?: readonly string[];
}

/** DEFLATE level for entries that are (re)compressed here. */
const LEVEL = 6;

function u16(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}
function u32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}
function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
}
function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}

/** An in-memory zip whose entries keep their compressed bytes until read or replaced. */
export class ZipArchive {
  private readonly entries = new Map<string, RawEntry>();

  /** Parse a zip (central directory based). Throws on ZIP64, encryption or unknown methods. */
  static read(zip: Uint8Array): ZipArchive {
    const archive = new ZipArchive();
    let eocd = -1;
    for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
      if (u32(zip, i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new Error('not a zip file (no end of central directory)');
    const count = u16(zip, eocd + 10);
    let p = u32(zip, eocd + 16);
    if (count === 0xffff || p === 0xffffffff) throw new Error('ZIP64 archives are not supported');
    for (let n = 0; n < count; n++) {
      if (u32(zip, p) !== 0x02014b50) throw new Error('corrupt zip central directory');
      const flags = u16(zip, p + 8);
      const method = u16(zip, p + 10);
      const crc = u32(zip, p + 16);
      const csize = u32(zip, p + 20);
      const size = u32(zip, p + 24);
      const nameLen = u16(zip, p + 28);
      const extraLen = u16(zip, p + 30);
      const commentLen = u16(zip, p + 32);
      const local = u32(zip, p + 42);
      const name = strFromU8(zip.subarray(p + 46, p + 46 + nameLen));
      if (flags & 1) throw new Error(`encrypted zip entry: ${name}`);
      if (method !== 0 && method !== 8) throw new Error(`unsupported zip method ${method}: ${name}`);
      if (u32(zip, local) !== 0x04034b50) throw new Error(`corrupt zip local header: ${name}`);
      const start = local + 30 + u16(zip, local + 26) + u16(zip, local + 28);
      archive.entries.set(name, { method, crc, size, compressed: zip.subarray(start, start + csize) });
      p += 46 + nameLen + extraLen + commentLen;
    }
    return archive;
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The entry's uncompressed bytes. */
  get(name: string): Uint8Array {
    const e = this.entries.get(name);
    if (!e) throw new Error(`no zip entry ${name}`);
    if (!e.data) {
      e.data = e.method === 0 ? e.compressed : lib().inflateSync(e.compressed, { out: new Uint8Array(e.size) });
    }
    return e.data;
  }

  getText(name: string): string {
    return strFromU8(this.get(name));
  }

  /**
   * Add or replace an entry; it is compressed now (DEFLATE), or with `store` kept as it is (a
   * letter's own parts: deflating ~40 KB in pure JavaScript costs a cold process tens of ms).
   */
  set(name: string, content: Uint8Array | string, opts: { store?: boolean } = {}): void {
    const data = typeof content === 'string' ? strToU8(content) : content;
    if (opts.store) this.entries.set(name, { method: 0, crc: crc32(data), size: data.length, compressed: data, data });
    else this.entries.set(name, { method: 8, crc: crc32(data), size: data.length, compressed: lib().deflateSync(data, { level: LEVEL }), data });
  }

  /** Add every entry of `other` as it is (compressed bytes shared, not copied or recompressed). */
  copyFrom(other: ZipArchive): void {
    for (const [name, e] of other.entries) this.entries.set(name, e);
  }

  delete(name: string): void {
    this.entries.delete(name);
  }

  /** Write the archive: fixed order, fixed stamp, no extra fields, UTF-8 names. */
  toBytes(opts: ZipWriteOptions = {}): Uint8Array {
    const { date, time } = dosDateTime(opts.stamp ?? DOS_EPOCH);
    const order = ooxmlEntryOrder(this.entries.keys(), opts.first);
    const names = order.map((n) => strToU8(n));
    let localSize = 0;
    let centralSize = 0;
    order.forEach((n, i) => {
      localSize += 30 + names[i]!.length + this.entries.get(n)!.compressed.length;
      centralSize += 46 + names[i]!.length;
    });
    if (localSize + centralSize > 0xffffffff || order.length > 0xfffe) throw new Error('archive too large');
    const out = new Uint8Array(localSize + centralSize + 22);
    let lp = 0;
    let cp = localSize;
    order.forEach((n, i) => {
      const e = this.entries.get(n)!;
      const nameBytes = names[i]!;
      const utf8 = /[^\x20-\x7e]/.test(n) ? 0x0800 : 0;
      // local file header
      put32(out, lp, 0x04034b50);
      put16(out, lp + 4, 20);
      put16(out, lp + 6, utf8);
      put16(out, lp + 8, e.method);
      put16(out, lp + 10, time);
      put16(out, lp + 12, date);
      put32(out, lp + 14, e.crc);
      put32(out, lp + 18, e.compressed.length);
      put32(out, lp + 22, e.size);
      put16(out, lp + 26, nameBytes.length);
      put16(out, lp + 28, 0);
      out.set(nameBytes, lp + 30);
      out.set(e.compressed, lp + 30 + nameBytes.length);
      // central directory header
      put32(out, cp, 0x02014b50);
      put16(out, cp + 4, 20); // made by: MS-DOS, spec 2.0
      put16(out, cp + 6, 20);
      put16(out, cp + 8, utf8);
      put16(out, cp + 10, e.method);
      put16(out, cp + 12, time);
      put16(out, cp + 14, date);
      put32(out, cp + 16, e.crc);
      put32(out, cp + 20, e.compressed.length);
      put32(out, cp + 24, e.size);
      put16(out, cp + 28, nameBytes.length);
      // extra length, comment length, disk, internal attrs, external attrs: all zero
      put32(out, cp + 42, lp);
      out.set(nameBytes, cp + 46);
      lp += 30 + nameBytes.length + e.compressed.length;
      cp += 46 + nameBytes.length;
    });
    put32(out, cp, 0x06054b50);
    put16(out, cp + 8, order.length);
    put16(out, cp + 10, order.length);
    put32(out, cp + 12, centralSize);
    put32(out, cp + 16, localSize);
    return out;
  }
}

/** Zip `files` reproducibly: fixed order, fixed timestamps, no comments or extra fields. */
export function zipDeterministic(files: Readonly<Record<string, Uint8Array | string>>, opts: ZipWriteOptions = {}): Uint8Array {
  const archive = new ZipArchive();
  for (const [name, data] of Object.entries(files)) archive.set(name, data);
  return archive.toBytes(opts);
}
