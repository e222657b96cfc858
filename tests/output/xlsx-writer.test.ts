/**
 * The hand-written workbook writer (src/output/xlsx-parts.ts) against exceljs: the same workbook,
 * written both ways, must give the same parts byte for byte, and so the same .xlsx bytes, for the
 * seed letters' workbooks, a `foi grants` listing, and a few hundred random workbooks (seeded, so
 * a failure reproduces) full of hostile text, odd numbers and awkward shapes.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layoutWorkbook, listingSheet, writeXlsx, type SheetSpec, type WorkbookSpec } from '../../src/output/xlsx.js';
import { workbookParts } from '../../src/output/xlsx-parts.js';
import { letterWorkbook } from '../../src/output/xlsx-letter.js';
import { money, num, text, type PlainCell } from '../../src/output/table-cells.js';
import { produceAnswer } from '../../src/letters/answer.js';
import { parseRequestFile } from '../../src/letters/request.js';
import { loadBodyConfig } from '../../src/letters/body-config.js';
import { openDefaultRegister } from '../../src/register/default-register.js';
import { ROOT } from '../helpers/cli.js';
import { exceljsParts, exceljsWorkbook } from './xlsx-oracle.js';
import { prng } from '../helpers/prng.js';

const utf8 = new TextDecoder();

async function compare(spec: WorkbookSpec, what: string): Promise<Uint8Array> {
  const theirs = await exceljsParts(spec);
  const ours = workbookParts(layoutWorkbook(spec), spec);
  expect([...ours.keys()].sort(), what).toEqual([...theirs.keys()].sort());
  for (const [name, bytes] of theirs) {
    const mine = ours.get(name)!;
    if (!Buffer.from(mine).equals(Buffer.from(bytes))) expect(utf8.decode(mine), `${name} of ${what}`).toBe(utf8.decode(bytes));
  }
  const bytes = await writeXlsx(spec);
  expect(Buffer.from(bytes).equals(Buffer.from(await exceljsWorkbook(spec))), what).toBe(true);
  return bytes;
}

const WORDS = [
  'grant', 'Home Office', 'Smith & Jones', "O'Brien", '"quoted"', '<b>tag</b>', 'a < b > c', '=1+1', "-2+3+cmd|' /C calc'!A0", '@SUM(A1)',
  '+44 20 7983 4000', '\tTab', 'x\u0001y', 'del\u007f', 'cr\rlf', 'line\nbreak', ' lead', 'trail ', 'caf\u00e9', '\u2013', '😀', 'lone\ud800', '&amp;',
  'www.example.com', 'N/A', 'not held', 'Total', '2017-18', '__proto__', 'constructor', 'a'.repeat(70), '', '   ',
];

function generate(seed: number): WorkbookSpec {
  const r = prng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]) => xs[int(xs.length)]!;
  const phrase = () => Array.from({ length: 1 + int(4) }, () => pick(WORDS)).join(pick([' ', '', '\n', ', ']));
  const cell = (): PlainCell => {
    const k = int(10);
    if (k < 4) return text(int(40) === 0 ? 'x'.repeat(33_000) : phrase());
    if (k < 8) {
      const pence = pick([0, 1, 99, 100, 20905200, 208743181, -150, 123456789012, int(1e9)]);
      const words = () => (int(3) ? '' : int(20) === 0 ? 'w'.repeat(260) : pick([' (note 1)', 'up to ', ' "2023" to 2025', ' (excluding amounts not stated)', '\u0002x', ' in all']));
      return money(pence, { currency: pick(['GBP', 'GBP', 'USD', 'EUR', 'XYZ', '']), prefix: words(), suffix: words() });
    }
    return num(pick([0, 1, 1234, -5, 2.5, 0.1 + 0.2, 1e21, 1234567.125]));
  };
  const sheets: SheetSpec[] = Array.from({ length: 1 + int(4) }, () => {
    const n = int(7);
    const row = () => Array.from({ length: int(4) === 0 ? Math.max(0, n - int(3)) : n }, cell);
    return {
      name: pick(['Q1 2017-18', 'Notes', 'q1 2017-18', 'History', 'a/b:c*d?[e]', "'quoted'", 'x'.repeat(40), '', 'Q1 & "2"']),
      columns: Array.from({ length: n }, () => ({ header: int(6) === 0 ? '' : phrase(), align: pick(['left', 'right'] as const) })),
      rows: Array.from({ length: int(12) }, row),
      totals: Array.from({ length: int(3) }, row),
      notes: int(2) ? Array.from({ length: int(4) }, () => (int(5) === 0 ? '' : phrase())) : undefined,
    };
  });
  const day = () => String(1 + int(28)).padStart(2, '0');
  return {
    sheets,
    creator: pick(["Mayor's Office for Policing And Crime", 'A & B <c>', '', 'x\u0003y']),
    title: pick(['Freedom of Information request FOI 556', '"T"', '']),
    footer: pick([null, '', 'MOPAC FOI 556', 'A&B "c" <d>']),
    date: `${pick(['1999', '2023', '2107'])}-${String(1 + int(12)).padStart(2, '0')}-${day()}`,
  };
}

describe('the hand-written workbook equals exceljs', () => {
  it('for the seed letters\' workbooks, answered from the embedded register', async () => {
    const db = await openDefaultRegister();
    const body = loadBodyConfig();
    for (const f of ['seed-003-foi-556.yaml', 'seed-000-stalking-grants.yaml']) {
      const answer = await produceAnswer(db, parseRequestFile(join(ROOT, 'examples', f)), { body, today: '2023-08-23' });
      const book = letterWorkbook(answer.view, new Map(answer.evidence.questions.map((q) => [q.number, q.criteria?.years ?? []])))!;
      expect(book.sheets.length, f).toBeGreaterThan(1);
      const bytes = await compare(book, f);
      expect(Buffer.from(answer.files.find((x) => x.name.endsWith('.xlsx'))!.data as Uint8Array).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it('for a listing of every grant, typed amounts and a total', async () => {
    const db = await openDefaultRegister();
    const rows = db.prepare('SELECT id, title, amount_awarded_pence AS pence FROM grants ORDER BY id').all() as { id: string; title: string; pence: number | null }[];
    const listing = {
      columns: [
        { header: 'Grant', value: (g: typeof rows[0]) => g.title },
        { header: 'Amount', align: 'right' as const, value: (g: typeof rows[0]) => String(g.pence ?? ''), cell: (g: typeof rows[0]) => (g.pence === null ? text('not held') : money(g.pence)) },
        { header: 'ID', value: (g: typeof rows[0]) => g.id },
      ],
      rows, json: null, notes: ['Total: the stated amounts counted.', ''],
    };
    await compare({ sheets: [listingSheet('Grants', listing, [text('Total'), money(123456), text('')])], creator: 'foi', title: 'Grants', date: '2000-01-01' }, 'listing');
  });

  it('for a workbook large enough to be deflated', async () => {
    const rows = Array.from({ length: 4000 }, (_, i) => [text(`Grant ${i} for "victims" & <families>`), money(i * 12345), num(i)]);
    await compare({ sheets: [{ name: 'Big', columns: [{ header: 'Grant', align: 'left' }, { header: 'Amount', align: 'right' }, { header: 'n', align: 'right' }], rows, totals: [] }], creator: 'foi', title: 'Big', date: '2024-02-29' }, 'big');
  });

  it('for 300 random workbooks', async () => {
    for (let seed = 1; seed <= 300; seed++) await compare(generate(seed), `random workbook ${seed}`);
  }, 120_000);
});
