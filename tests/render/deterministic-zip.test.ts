import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import {
  DOS_EPOCH,
  ZipArchive,
  crc32,
  dosDateTime,
  ooxmlEntryOrder,
  zipDeterministic,
} from '../../src/render/deterministic-zip.js';

const FILES = {
  'word/document.xml': '<w:document>£2,087,431.81 — A | B</w:document>'.repeat(50),
  '[Content_Types].xml': '<Types/>',
  'docProps/core.xml': '<core/>',
  '_rels/.rels': '<Relationships/>',
  'word/styles.xml': '<w:styles/>',
};

function entryNames(zip: Uint8Array): string[] {
  const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const names: string[] = [];
  let p = 0;
  while (dv.getUint32(p, true) === 0x04034b50) {
    const n = dv.getUint16(p + 26, true);
    names.push(strFromU8(zip.subarray(p + 30, p + 30 + n)));
    p += 30 + n + dv.getUint16(p + 28, true) + dv.getUint32(p + 18, true);
  }
  return names;
}

describe('deterministic zip', () => {
  it('computes standard CRC-32', () => {
    expect(crc32(strToU8('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
  });

  it('encodes DOS date/time arithmetically (no Date, no TZ), clamped to the DOS range', () => {
    expect(dosDateTime({ year: 2025, month: 3, day: 3 })).toEqual({ date: (45 << 9) | (3 << 5) | 3, time: 12 << 11 });
    expect(dosDateTime({ year: 1970, month: 1, day: 1 })).toEqual(dosDateTime(DOS_EPOCH));
  });

  it('orders OOXML entries: content types, package rels, pinned, then sorted', () => {
    expect(ooxmlEntryOrder(Object.keys(FILES), ['docProps/core.xml'])).toEqual([
      '[Content_Types].xml',
      '_rels/.rels',
      'docProps/core.xml',
      'word/document.xml',
      'word/styles.xml',
    ]);
  });

  it('writes archives fflate (and so other unzippers) can read back', () => {
    const zip = zipDeterministic(FILES);
    const back = unzipSync(zip);
    expect(Object.fromEntries(Object.entries(back).map(([k, v]) => [k, strFromU8(v)]))).toEqual(FILES);
    expect(entryNames(zip)[0]).toBe('[Content_Types].xml');
  });

  it('gives the same bytes whatever the insertion order', () => {
    const reversed = Object.fromEntries(Object.entries(FILES).reverse());
    expect(Buffer.from(zipDeterministic(reversed)).equals(Buffer.from(zipDeterministic(FILES)))).toBe(true);
  });

  it('re-stamps an archive made with clock times and copies untouched entries as they are', () => {
    const files = Object.fromEntries(Object.entries(FILES).map(([k, v]) => [k, strToU8(v)]));
    const a = zipSync(files, { mtime: new Date('2021-05-05T10:11:12Z') });
    const b = zipSync(files, { mtime: new Date('2029-09-09T01:02:03Z') });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    const ra = ZipArchive.read(a).toBytes({ stamp: { year: 2025, month: 3, day: 3 } });
    const rb = ZipArchive.read(b).toBytes({ stamp: { year: 2025, month: 3, day: 3 } });
    expect(Buffer.from(ra).equals(Buffer.from(rb))).toBe(true);
    const dv = new DataView(ra.buffer, ra.byteOffset);
    expect(dv.getUint16(10, true)).toBe(12 << 11);
    expect(dv.getUint16(12, true)).toBe((45 << 9) | (3 << 5) | 3);
    expect(strFromU8(unzipSync(ra)['word/document.xml']!)).toBe(FILES['word/document.xml']);
  });

  it('replaces, adds and deletes entries', () => {
    const archive = ZipArchive.read(zipDeterministic(FILES));
    expect(archive.getText('docProps/core.xml')).toBe('<core/>');
    archive.set('docProps/core.xml', '<core>fixed</core>');
    archive.set('word/numbering.xml', strToU8('<w:numbering/>'));
    archive.delete('word/styles.xml');
    const back = unzipSync(archive.toBytes());
    expect(Object.keys(back)).toEqual([
      '[Content_Types].xml',
      '_rels/.rels',
      'docProps/core.xml',
      'word/document.xml',
      'word/numbering.xml',
    ]);
    expect(strFromU8(back['docProps/core.xml']!)).toBe('<core>fixed</core>');
  });

  it('handles stored entries, UTF-8 names and empty files', () => {
    const files = { 'a/ünïcode.txt': strToU8('é'), 'empty.txt': new Uint8Array() };
    const stored = zipSync(
      Object.fromEntries(Object.entries(files).map(([k, v]) => [k, [v, { level: 0 }]])),
    );
    const again = ZipArchive.read(stored).toBytes();
    const back = unzipSync(again);
    expect(strFromU8(back['a/ünïcode.txt']!)).toBe('é');
    expect(back['empty.txt']!.length).toBe(0);
  });

  it('rejects things that are not zips', () => {
    expect(() => ZipArchive.read(strToU8('not a zip at all, just some text here'))).toThrow(/not a zip/);
  });
});
