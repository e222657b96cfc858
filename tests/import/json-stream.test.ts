import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { JsonStreamError, streamJsonArray } from '../../src/import/json-stream.js';

const FIX = fileURLToPath(new URL('../fixtures/360giving/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'foi-json-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(content: string | Buffer): string {
  const p = join(dir, `t${++n}.json`);
  writeFileSync(p, content);
  return p;
}

async function collect(path: string, chunkSize?: number, key?: string): Promise<{ index: number; value: unknown }[]> {
  const out: { index: number; value: unknown }[] = [];
  for await (const e of streamJsonArray(path, key, { chunkSize })) out.push(e);
  return out;
}

async function streamError(path: string, chunkSize?: number): Promise<JsonStreamError> {
  try {
    await collect(path, chunkSize);
  } catch (e) {
    expect(e).toBeInstanceOf(JsonStreamError);
    return e as JsonStreamError;
  }
  throw new Error('expected a JsonStreamError');
}

describe('streamJsonArray', () => {
  it('streams every element of the ALW package, identical to JSON.parse, at any chunk size', async () => {
    const path = join(FIX, 'andrew-lloyd-webber-foundation.360g.json');
    const whole = JSON.parse(readFileSync(path, 'utf8')) as { grants: unknown[] };
    const expected = whole.grants.map((value, index) => ({ index, value }));
    expect(expected).toHaveLength(475);
    expect(await collect(path)).toEqual(expected);
    expect(await collect(path, 7)).toEqual(expected);
    expect(await collect(path, 1000)).toEqual(expected);
  });

  it('skips other top-level keys, whatever they hold, and handles strings with brackets, escapes and multibyte text', async () => {
    const text =
      '\uFEFF{"title": "a } ] \\" \\\\", "meta": {"a": [1, 2, {"b": "]}"}], "c": null}, "n": -1.5e3, "t": true,\n' +
      ' "gr\\u0061nts" : [ {"id": "1", "t": "caf\u00e9 \u00a3 \ud83d\ude00 \\"q\\" \\\\"}, {"id": "2", "a": [[], {}]}, "x", 3, null ],\n' +
      ' "after": [ "ignored" ] }\n';
    const p = file(text);
    const expected = [
      { index: 0, value: { id: '1', t: 'café £ 😀 "q" \\' } },
      { index: 1, value: { id: '2', a: [[], {}] } },
      { index: 2, value: 'x' },
      { index: 3, value: 3 },
      { index: 4, value: null },
    ];
    for (const chunk of [1, 2, 3, 7, undefined]) expect(await collect(p, chunk)).toEqual(expected);
  });

  it('reads another key when asked', async () => {
    const p = file('{"grants": [1], "other": [{"a": 1}]}');
    expect(await collect(p, undefined, 'other')).toEqual([{ index: 0, value: { a: 1 } }]);
  });

  it('an empty array yields nothing', async () => {
    expect(await collect(file('{"grants": []}'))).toEqual([]);
  });

  it('rejects a top level that is not an object, naming the byte', async () => {
    const e = await streamError(file('  [{"id": "1"}]'));
    expect(e.offset).toBe(2);
    expect(e.problem).toMatch(/the top level is not a JSON object \(found '\[' at byte 2\)/);
  });

  it('rejects a file with no grants array, listing the keys it has', async () => {
    const e = await streamError(file('{"version": "1.4", "data": []}'));
    expect(e.problem).toBe('no "grants" array in the top-level object; the keys found were: "version", "data"');
  });

  it('rejects grants that is not an array', async () => {
    const e = await streamError(file('{"grants": {"id": "1"}}'));
    expect(e.problem).toMatch(/"grants" is not an array \(found '\{' at byte 11\)/);
  });

  it('reports a truncated file with the element it was reading, at any chunk size', async () => {
    const p = file('{"grants": [{"id": "1"}, {"id": "2", "title": "cut of');
    for (const chunk of [1, 7, undefined]) {
      const e = await streamError(p, chunk);
      expect(e.index).toBe(1);
      expect(e.problem).toMatch(/the JSON ends unexpectedly at byte 53 inside "grants" \(while reading grants\[1\]\); the file looks truncated/);
    }
  });

  it('reports invalid JSON inside an element with its index and byte offset', async () => {
    const p = file('{"grants": [{"id": "1"}, {"id": "2",}, {"id": "3"}]}');
    const e = await streamError(p);
    expect(e.index).toBe(1);
    expect(e.offset).toBe(25);
    expect(e.problem).toMatch(/^grants\[1\] \(starting at byte 25\) is not valid JSON: /);
  });

  it('reports mismatched brackets and trailing garbage', async () => {
    expect((await streamError(file('{"grants": [{"id": "1"]]}'))).problem).toMatch(/mismatched '\]' at byte 22 in grants\[0\]/);
    expect((await streamError(file('{"grants": []} x'))).problem).toMatch(/unexpected 'x' at byte 15 after the end of the top-level object/);
    expect((await streamError(file('{"grants": [1,]}'))).problem).toMatch(/trailing comma/);
    expect((await streamError(file(''))).problem).toMatch(/the file is empty/);
  });
});
