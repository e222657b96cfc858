/**
 * Findings of a new user's review, each through bin/foi: data that holds terminal escape
 * sequences is shown, never run, in table output; a failed `foi answer` leaves none of its files
 * (no partial set, no temp files); a missing or wrong request file and a folder given to
 * `foi import` are one clear usage line; `--as-at` in the future is a usage error; a folder or
 * file in the way of an output is named in words.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { foi, tempDir } from '../helpers/cli.js';

const ESC = '\u001b';

/** A register holding one grant whose title and recipient carry escape sequences, tabs and line breaks. */
function hostileRegister(): { dir: string; db: string } {
  const dir = tempDir('foi-review-');
  const db = join(dir, 'r.sqlite');
  const pkg = {
    grants: [{
      id: '360G-CTRL-1',
      title: `${ESC}]8;;http://e.x${'\u0007'}L${ESC}]8;;${'\u0007'} ${ESC}[31mred${ESC}[0m\tt\r\nn \u009b2J`,
      description: 'd',
      currency: 'GBP',
      amountAwarded: 5,
      awardDate: '2019-05-02',
      recipientOrganization: [{ id: 'GB-CHC-7', name: `Bell${'\u0007'} org` }],
      fundingOrganization: [{ id: 'GB-CHC-8', name: 'Funder' }],
    }],
  };
  writeFileSync(join(dir, 'ctrl.json'), JSON.stringify(pkg));
  expect(foi(['init', '--db', db]).code).toBe(0);
  const r = foi(['import', '--db', db, join(dir, 'ctrl.json')]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return { dir, db };
}

describe('control characters from data in table output', () => {
  it('foi grants, foi show and foi history print them as visible symbols, never as escapes', () => {
    const { db } = hostileRegister();
    for (const args of [['grants', '--fy', '2019-20'], ['show', '360G-CTRL-1'], ['history', '360G-CTRL-1']]) {
      const r = foi([...args, '--db', db]);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
      if (args[0] !== 'history') expect(r.stdout).toContain('Bell\u2407 org');
    }
    expect(foi(['show', '360G-CTRL-1', '--db', db]).stdout).toContain('\u241b]8;;http://e.x\u2407L\u241b]8;;\u2407 \u241b[31mred\u241b[0m t n \ufffd2J (360G-CTRL-1)');
    // One line per row: the tab and the line break inside the title do not break the table.
    const lines = foi(['grants', '--fy', '2019-20', '--db', db]).stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[2]).toMatch(/^2019-20 {2}\u241b\]8;;http:\/\/e\.x\u2407L\u241b\]8;;\u2407 \u241b\[31mred\u241b\[0m t n \ufffd2J {2}Bell\u2407 org {2}/);
    // --totals-only --format md is Markdown: one paragraph per line.
    expect(foi(['grants', '--fy', '2019-20', '--db', db, '--totals-only', '--format', 'md']).stdout).toBe('1 row\n\nTotal: £5, the stated amounts counted.\n');
    // JSON keeps the data exactly as imported.
    const j = JSON.parse(foi(['grants', '--fy', '2019-20', '--db', db, '--format', 'json']).stdout);
    expect(j.rows[0].title).toContain(`${ESC}[31mred`);
  });
});

describe('a failed foi answer writes nothing', () => {
  it('a folder in the way of one output: one clear line, exit 1, none of the other files, no temp files', () => {
    const { dir, db } = hostileRegister();
    const out = join(dir, 'letters');
    mkdirSync(join(out, 'FOI-993.docx'), { recursive: true });
    const req = join(dir, 'req.yaml');
    writeFileSync(req, [
      'reference: FOI 993', 'received: 2019-10-01', 'responseDate: 2019-10-20', 'questions:',
      '  - wording: Grants', '    criteria: { fy: [2019-20] }', '    columns: [grant, amount]', '',
    ].join('\n'));
    const r = foi(['answer', '--db', db, req, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`foi: ${join(out, 'FOI-993.docx')}: a folder of that name is in the way; nothing was written\n`);
    expect(readdirSync(out)).toEqual(['FOI-993.docx']);
    expect(readdirSync(join(out, 'FOI-993.docx'))).toEqual([]);
    // Without the folder in the way the same command writes the whole set.
    const ok = foi(['answer', '--db', db, req, '--out', join(dir, 'ok')]);
    expect(ok.code).toBe(0);
    expect(readdirSync(join(dir, 'ok')).sort()).toEqual(['FOI-993.answer.json', 'FOI-993.docx', 'FOI-993.md', 'FOI-993.q1.csv', 'FOI-993.xlsx']);
  });
});

describe('bad input is one clear line', () => {
  it('a missing or wrong request file, a folder to import, --as-at in the future', () => {
    const { dir, db } = hostileRegister();
    writeFileSync(join(dir, 'grants.csv'), 'Identifier,Title\r\n360G-X,A grant\r\n');
    const cases: [string[], number, string][] = [
      [['answer', join(dir, 'nope.yaml')], 2, `foi: ${join(dir, 'nope.yaml')}: no such request file\n`],
      [['answer', dir], 2, `foi: ${dir}: a folder, not a request file (foi batch answers a folder of them)\n`],
      [['answer', join(dir, 'grants.csv')], 1, `foi: ${join(dir, 'grants.csv')} line 1: expected a request: reference, received, questions\n`],
      [['import', dir], 2, `foi: ${dir}: a folder, not a file; name the files to import (foi import ${dir}/*.json)\n`],
    ];
    for (const [args, code, stderr] of cases) {
      const r = foi([...args, '--db', db]);
      expect([r.code, r.stderr]).toEqual([code, stderr]);
    }
    for (const asAt of ['2999-01-01', '2999-01-01T00:00:00Z']) {
      for (const args of [['grants'], ['show', '360G-CTRL-1'], ['export', '360giving', '--out', join(dir, 'x.json')]]) {
        const r = foi([...args, '--db', db, '--as-at', asAt]);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(new RegExp(`^foi: --as-at "${asAt}" is in the future; the register's history runs to now \\(\\d+ \\w+ \\d{4} at \\d\\d:\\d\\d\\)\\n$`));
      }
    }
    expect(readdirSync(dir)).not.toContain('x.json');
    // --out naming a folder, or a path through a file: the file named, in words, and no temp file left.
    mkdirSync(join(dir, 'folder'));
    for (const [args, stderr] of [
      [['grants', '--out', join(dir, 'folder')], `foi: ${join(dir, 'folder')}: a folder of that name is in the way\n`],
      [['export', '360giving', '--out', join(dir, 'folder')], `foi: ${join(dir, 'folder')}: a folder of that name is in the way\n`],
      [['grants', '--format', 'xlsx', '--out', join(dir, 'grants.csv', 'x.xlsx')], `foi: ${join(dir, 'grants.csv')}: a file of that name is in the way (a folder is needed here)\n`],
    ] as [string[], string][]) {
      const r = foi([...args, '--db', db]);
      expect([r.code, r.stderr]).toEqual([1, stderr]);
    }
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // Today and an earlier instant are fine.
    const today = new Date().toISOString().slice(0, 10);
    expect(foi(['grants', '--db', db, '--as-at', today, '--totals-only']).code).toBe(0);
    expect(foi(['grants', '--db', db, '--as-at', new Date(Date.now() - 1000).toISOString(), '--totals-only']).code).toBe(0);
  });
});
