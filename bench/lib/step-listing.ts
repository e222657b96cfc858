/**
 * Step 2b, listings and totals as whole processes (issue 9): `foi grants … --format csv` on the
 * big register against the sqlite3 shell selecting the same rows from its `.import`ed flat table
 * (`sqlite3 -csv`), for a financial year, a year and text, and a recipient; and the count and
 * total of a year as a whole process against `node -e 0`.
 */
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { CONFIG, load, log, pass, type StepResult } from './bench.js';
import { FOI_BIN, ROOT, SQLITE3 } from './paths.js';
import { run } from './proc.js';
import { mdTable, shellQuote, type SummaryRow } from './report.js';
import { fmtMs, fmtRatio, fmtRuns, median } from './stats.js';

const LISTING_TARGET = 3;
const TOTALS_TARGET = 3;

/** 2012-13 as ISO bounds on the flat table's `Award Date` text (date-times sort as text). */
const FY = `"Award Date" >= '2012-04-01' AND "Award Date" < '2013-04-01'`;

const LISTINGS = [
  { id: 'L1', what: 'a financial year', args: ['--fy', '2012-13'], sql: `SELECT * FROM grants WHERE ${FY}` },
  { id: 'L2', what: 'a financial year and text', args: ['--fy', '2012-13', '--text', 'community'], sql: `SELECT * FROM grants WHERE ${FY} AND ("Title" LIKE '%community%' OR "Description" LIKE '%community%')` },
  { id: 'L3', what: 'a recipient (name part)', args: ['--recipient', "Women's Aid"], sql: `SELECT * FROM grants WHERE "Recipient Org:Name" LIKE '%Women''s Aid%'` },
];

async function timed(cmd: string, args: string[]): Promise<{ ms: number; bytes: number }> {
  const r = await run(cmd, args, { keep: 0 });
  return { ms: r.ms, bytes: r.stdout.length };
}

export async function listingStep(register: string | null, flat: string | null): Promise<StepResult> {
  const title = `## 2b. Listings and totals as whole processes`;
  const skipped = (why: string): StepResult => ({
    summary: [
      ...LISTINGS.map((l) => ({ step: '2 Listing', measure: `${l.id} foi grants ${l.args.map(shellQuote).join(' ')} --format csv vs sqlite3 -csv`, foi: '-', baseline: '-', ratio: '-', target: `≤ ${LISTING_TARGET}×`, status: 'SKIP' as const })),
      { step: '2 Totals', measure: 'whole process: count and total of a year vs node -e 0', foi: '-', baseline: '-', ratio: '-', target: `< ${TOTALS_TARGET}×`, status: 'SKIP' },
    ],
    markdown: `${title}\n\nSkipped: ${why}.\n`,
    misses: '',
  });
  if (!register) return skipped('there is no big register (the import did not finish)');
  if (!flat || !existsSync(flat) || !existsSync(SQLITE3)) return skipped(`there is no sqlite3 flat table to compare with (${SQLITE3} missing or its import skipped)`);
  const loadBefore = load();
  const rows: string[][] = [];
  const summary: SummaryRow[] = [];
  for (const l of LISTINGS) {
    const foi: number[] = [];
    const sq: number[] = [];
    // Interleaved, after one uncounted round that warms the page cache for both.
    for (let i = 0; i <= CONFIG.listingRuns; i++) {
      const f = await timed(process.execPath, [FOI_BIN, 'grants', '--db', register, ...l.args, '--format', 'csv']);
      const q = await timed(SQLITE3, ['-csv', '-header', flat, l.sql]);
      if (i === 0) continue;
      foi.push(f.ms);
      sq.push(q.ms);
    }
    const ratio = median(foi) / median(sq);
    log(`listing ${l.id} ${l.args.map(shellQuote).join(' ')}: foi ${fmtMs(median(foi))}, sqlite3 ${fmtMs(median(sq))} (${fmtRatio(ratio)})`);
    summary.push({ step: '2 Listing', measure: `${l.id} foi grants ${l.args.map(shellQuote).join(' ')} --format csv vs sqlite3 -csv (n=${foi.length})`, foi: fmtMs(median(foi)), baseline: fmtMs(median(sq)), ratio: fmtRatio(ratio), target: `≤ ${LISTING_TARGET}×`, status: pass(ratio <= LISTING_TARGET) });
    rows.push([l.id, `${l.what}: \`foi grants --db … ${l.args.map(shellQuote).join(' ')} --format csv\``, fmtRuns(foi), `\`${l.sql}\``, fmtRuns(sq), fmtRatio(ratio)]);
  }

  // Totals as a whole process: --totals-only where foi has it, else the JSON listing (which carries count and total).
  const help = await run(process.execPath, [FOI_BIN, 'grants', '--help'], { keep: 1 << 16 });
  const totalsFlag = help.stdout.includes('--totals-only') ? ['--totals-only'] : ['--format', 'json'];
  const totals: number[] = [];
  const node: number[] = [];
  for (let i = 0; i <= CONFIG.listingRuns; i++) {
    const t = await timed(process.execPath, [FOI_BIN, 'grants', '--db', register, '--fy', '2012-13', ...totalsFlag]);
    const z = await timed(process.execPath, ['-e', '0']);
    if (i === 0) continue;
    totals.push(t.ms);
    node.push(z.ms);
  }
  const tRatio = median(totals) / median(node);
  const how = `foi grants --fy 2012-13 ${totalsFlag.join(' ')}`;
  summary.push({ step: '2 Totals', measure: `whole process: \`${how}\` vs node -e 0 (n=${totals.length})`, foi: fmtMs(median(totals)), baseline: fmtMs(median(node)), ratio: fmtRatio(tRatio), target: `< ${TOTALS_TARGET}×`, status: pass(tRatio < TOTALS_TARGET) });
  const loadAfter = load();

  let md = `${title}\n\nEach listing runs as a new process with its output piped to the bench (\`> /dev/null\` in effect), foi on the register of step 1 (\`${relative(ROOT, register)}\`), the sqlite3 shell on the flat table its \`.import\` made of the same CSV (\`${relative(ROOT, flat)}\`, TEXT columns, no index: a full scan per query). Interleaved, one uncounted round first.\n\n`;
  md += mdTable(['Listing', 'foi', 'foi runs', 'sqlite3 -csv', 'sqlite3 runs', 'Ratio'], rows) + '\n\n';
  md += `Totals as a whole process: \`${how}\` ${fmtRuns(totals)} (median ${fmtMs(median(totals))}) against \`node -e 0\` ${fmtRuns(node)} (median ${fmtMs(median(node))}): ${fmtRatio(tRatio)} (target < ${TOTALS_TARGET}×).`;
  if (totalsFlag[0] !== '--totals-only') md += ' foi has no `--totals-only` yet, so this is the whole JSON listing of the year (its count and total included).';
  md += `\n\nLoad average before: ${loadBefore}; after: ${loadAfter}.\n`;
  const missed = summary.filter((r) => r.status === 'MISS');
  const misses = missed.length
    ? `### Listings and totals\n\n${missed.length} of ${summary.length} whole-process targets missed. A CSV listing streams its rows from one ordered statement (src/register/query-rows.ts) into the output; most of its time is SQLite reading each line, its grant and names, and better-sqlite3 making the values JavaScript strings (about a dozen a row). The totals are one aggregate over the allocation indexes (src/register/query-totals.ts); the in-process analysis (query plans, SQLite's share) is in the Query section below.\n`
    : '';
  return { summary, markdown: md, misses };
}
