import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvSyntaxError, readCsvBatches, readCsvRecords, type CsvRecord } from '../../src/import/csv.js';
import { EncodingError } from '../../src/import/text-encoding.js';

const dir = mkdtempSync(join(tmpdir(), 'foi-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(content: string | Buffer): string {
  const p = join(dir, `t${++n}.csv`);
  writeFileSync(p, content);
  return p;
}

async function read(path: string, chunkSize?: number): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  for await (const r of readCsvRecords(path, { chunkSize })) out.push(r);
  return out;
}

async function readError(path: string, chunkSize?: number): Promise<CsvSyntaxError> {
  try {
    await read(path, chunkSize);
  } catch (e) {
    expect(e).toBeInstanceOf(CsvSyntaxError);
    return e as CsvSyntaxError;
  }
  throw new Error('expected a CsvSyntaxError');
}

const CHUNKS = [undefined, 1, 2, 3, 7, 64];

describe('readCsvRecords', () => {
  it('reads plain records with 1-based row numbers (header is row 1)', async () => {
    const p = file('a,b,c\n1,2,3\n4,5,6\n');
    expect(await read(p)).toEqual([
      { row: 1, fields: ['a', 'b', 'c'] },
      { row: 2, fields: ['1', '2', '3'] },
      { row: 3, fields: ['4', '5', '6'] },
    ]);
  });

  it('handles quoted commas, line breaks and "" escapes; a quoted line break stays in one row', async () => {
    const text = 'id,text,n\r\n1,"a, b",x\r\n2,"line one\r\nline two",y\r\n3,"say ""hi""",z\r\n4,"""",""\r\n5,,\r\n';
    const expected = [
      { row: 1, fields: ['id', 'text', 'n'] },
      { row: 2, fields: ['1', 'a, b', 'x'] },
      { row: 3, fields: ['2', 'line one\r\nline two', 'y'] },
      { row: 4, fields: ['3', 'say "hi"', 'z'] },
      { row: 5, fields: ['4', '"', ''] },
      { row: 6, fields: ['5', '', ''] },
    ];
    const p = file(text);
    for (const chunk of CHUNKS) expect(await read(p, chunk)).toEqual(expected);
  });

  it('accepts LF, CRLF, a last record without a line end, and drops a UTF-8 BOM', async () => {
    const p = file('\uFEFFa,b\r\n1,2\n3,"4"');
    for (const chunk of CHUNKS) {
      expect(await read(p, chunk)).toEqual([
        { row: 1, fields: ['a', 'b'] },
        { row: 2, fields: ['1', '2'] },
        { row: 3, fields: ['3', '4'] },
      ]);
    }
  });

  it('decodes multibyte UTF-8 split across chunk boundaries', async () => {
    const text = 'name,amount\n"Café £ – ’quoted’ 😀",£1,234.50\nŁódź,€5\n';
    const p = file(text);
    const expected = [
      { row: 1, fields: ['name', 'amount'] },
      { row: 2, fields: ['Café £ – ’quoted’ 😀', '£1', '234.50'] },
      { row: 3, fields: ['Łódź', '€5'] },
    ];
    for (const chunk of [1, 2, 3, 4, 5, 7, 11, undefined]) expect(await read(p, chunk)).toEqual(expected);
  });

  it('counts blank lines as rows but does not yield them', async () => {
    const p = file('a,b\n\n1,2\r\n\r\n3,4\n');
    expect(await read(p)).toEqual([
      { row: 1, fields: ['a', 'b'] },
      { row: 3, fields: ['1', '2'] },
      { row: 5, fields: ['3', '4'] },
    ]);
  });

  it('yields nothing for an empty file', async () => {
    expect(await read(file(''))).toEqual([]);
  });

  it('an unterminated quote is an error naming the row where the quote opened', async () => {
    const p = file('a,b\n1,2\n3,"never closed\n4,5\n6,7\n');
    for (const chunk of CHUNKS) {
      const e = await readError(p, chunk);
      expect(e.row).toBe(3);
      expect(e.message).toMatch(/^t\d+\.csv: row 3: a quoted field \(field 2\) is never closed/);
    }
  });

  it('a quote inside an unquoted field is an error naming the row', async () => {
    const p = file('a,b\n1,2\n3,4\n5,ab"c\n');
    for (const chunk of CHUNKS) {
      const e = await readError(p, chunk);
      expect(e.row).toBe(4);
      expect(e.problem).toMatch(/field 2 has a quote \("\) inside an unquoted value \("ab\\"c"\)/);
    }
  });

  it('text after a closing quote is an error naming the row', async () => {
    const e = await readError(file('a,b\n"x"y,2\n'));
    expect(e.row).toBe(2);
    expect(e.problem).toMatch(/field 1 has text after its closing quote/);
  });

  it('bytes that are not UTF-8 (Windows-1252 £) are an error naming the byte, at any chunk size, not silently replaced', async () => {
    const bytes = Buffer.concat([Buffer.from('a,b\n1,2\n3,'), Buffer.from([0xa3]), Buffer.from('5\n')]);
    const p = file(bytes);
    for (const chunkSize of CHUNKS) {
      const e = await read(p, chunkSize).then(() => null, (x: unknown) => x);
      expect(e).toBeInstanceOf(EncodingError);
      expect((e as EncodingError).offset).toBe(10);
      expect((e as EncodingError).problem).toMatch(/not UTF-8 text \(bytes 0xA3.*\(0xA3 is "£" in Windows-1252\)\).*--encoding windows-1252/);
    }
  });

  it('--encoding windows-1252 reads the same bytes as £', async () => {
    const bytes = Buffer.concat([Buffer.from('a,b\n1,2\n3,'), Buffer.from([0xa3]), Buffer.from('5\n')]);
    for (const chunkSize of CHUNKS) {
      const rows: CsvRecord[] = [];
      for await (const r of readCsvRecords(file(bytes), { chunkSize, encoding: 'windows-1252' })) rows.push(r);
      expect(rows.map((r) => r.fields)).toEqual([['a', 'b'], ['1', '2'], ['3', '£5']]);
    }
  });

  it('reads CR-only line ends (old Mac Excel) as rows, quoted line breaks included, at any chunk size', async () => {
    const p = file('id,name\r1,"a\rb"\r2,c\r\r3,d');
    for (const chunkSize of CHUNKS) {
      const rows: CsvRecord[] = [];
      for await (const r of readCsvRecords(p, { chunkSize })) rows.push(r);
      expect(rows).toEqual([
        { row: 1, fields: ['id', 'name'] },
        { row: 2, fields: ['1', 'a\nb'] },
        { row: 3, fields: ['2', 'c'] },
        { row: 5, fields: ['3', 'd'] },
      ]);
    }
  });

  it('keeps a U+FFFD that is really in the file and says where', async () => {
    const found = { replacementAt: -1 };
    const rows: CsvRecord[] = [];
    for await (const r of readCsvRecords(file('a,b\nx\uFFFDy,2\n'), { found })) rows.push(r);
    expect(rows[1].fields).toEqual(['x\uFFFDy', '2']);
    expect(found.replacementAt).toBe(5);
  });

  it('readCsvBatches yields the same records in arrays', async () => {
    const lines = ['id,v'];
    for (let i = 0; i < 500; i++) lines.push(`${i},"v ${i}, ""q"""`);
    const p = file(lines.join('\n') + '\n');
    const flat: CsvRecord[] = [];
    let batches = 0;
    for await (const b of readCsvBatches(p, { chunkSize: 1024 })) {
      batches++;
      flat.push(...b);
    }
    expect(batches).toBeGreaterThan(1);
    expect(flat).toEqual(await read(p));
    expect(flat[500]).toEqual({ row: 501, fields: ['499', 'v 499, "q"'] });
  });
});
