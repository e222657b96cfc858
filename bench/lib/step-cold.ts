/**
 * Step 4, cold start: one `foi answer` (Markdown and DOCX) against one `pandoc letter.md -o
 * letter.docx`, and `foi --help` against `node -e 0`; runs interleaved so load changes hit all four.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CONFIG, clock, load, log, pass, type StepResult } from './bench.js';
import { EXAMPLES, FOI_BIN, ROOT, WORK } from './paths.js';
import { formatHotTable, latestProfile, summariseProfile } from './profile.js';
import { run, which } from './proc.js';
import { mdTable, type SummaryRow } from './report.js';
import { fmtMs, fmtRatio, fmtRuns, median } from './stats.js';

const ANSWER_TARGET = 3;
const HELP_TARGET = 1.5;
const rel = (p: string) => relative(ROOT, p);

export async function coldStep(): Promise<StepResult> {
  const dir = join(WORK, 'cold');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const request = join(EXAMPLES, 'seed-003-foi-556.yaml');
  const letter = join(dir, 'FOI-556.md');
  const pandoc = which('pandoc');
  const node = process.execPath;
  const t = { answer: [] as number[], pandoc: [] as number[], help: [] as number[], node: [] as number[] };
  const loadBefore = load();
  for (let i = 0; i <= CONFIG.coldRuns; i++) {
    // Round 0 warms the file cache and is not counted.
    const a = await run(node, [FOI_BIN, 'answer', request, '--out', dir]);
    const p = pandoc ? await run(pandoc, [letter, '-o', join(dir, 'pandoc.docx')]) : null;
    const h = await run(node, [FOI_BIN, '--help']);
    const z = await run(node, ['-e', '0']);
    if (i === 0) continue;
    t.answer.push(a.ms);
    if (p) t.pandoc.push(p.ms);
    t.help.push(h.ms);
    t.node.push(z.ms);
  }
  const loadAfter = load();
  const m = { answer: median(t.answer), pandoc: median(t.pandoc), help: median(t.help), node: median(t.node) };
  const answerRatio = m.answer / m.pandoc;
  const helpRatio = m.help / m.node;
  log(`cold start: foi answer ${fmtMs(m.answer)} vs pandoc ${fmtMs(m.pandoc)} (${fmtRatio(answerRatio)}); foi --help ${fmtMs(m.help)} vs node -e 0 ${fmtMs(m.node)} (${fmtRatio(helpRatio)})`);
  const summary: SummaryRow[] = [
    { step: '4 Cold start', measure: `foi answer seed-003 (md, docx, csv, xlsx, answer record) vs pandoc letter.md -o letter.docx (n=${t.answer.length})`, foi: fmtMs(m.answer), baseline: pandoc ? fmtMs(m.pandoc) : 'n/a', ratio: pandoc ? fmtRatio(answerRatio) : 'n/a', target: `≤ ${ANSWER_TARGET}×`, status: pandoc ? pass(answerRatio <= ANSWER_TARGET) : 'SKIP' },
    { step: '4 Cold start', measure: `foi --help vs node -e 0 (n=${t.help.length})`, foi: fmtMs(m.help), baseline: fmtMs(m.node), ratio: fmtRatio(helpRatio), target: `≤ ${HELP_TARGET}×`, status: pass(helpRatio <= HELP_TARGET) },
  ];
  let md = '## 4. Cold start\n\n';
  md += `Each round runs the four commands once, in this order, as new processes; one uncounted round first. The letter pandoc converts is the FOI-556.md that foi answer wrote.\n\n`;
  md += mdTable(['Command', 'Runs', 'Median'], [
    [`foi answer examples/seed-003-foi-556.yaml --out ${rel(dir)}`, fmtRuns(t.answer), fmtMs(m.answer)],
    [`pandoc ${rel(letter)} -o pandoc.docx`, pandoc ? fmtRuns(t.pandoc) : 'pandoc not installed', pandoc ? fmtMs(m.pandoc) : 'n/a'],
    ['foi --help', fmtRuns(t.help), fmtMs(m.help)],
    ['node -e 0', fmtRuns(t.node), fmtMs(m.node)],
  ]) + '\n\n';
  md += `Load average before: ${loadBefore}; after: ${loadAfter}.\n`;

  // Where the time goes, pass or miss: a CPU profile of one foi answer.
  let fixes: string[] = [];
  if (CONFIG.diagnose && clock.remainingMs() > 10_000) {
    const profDir = join(WORK, 'prof', 'answer');
    rmSync(profDir, { recursive: true, force: true });
    await run(node, ['--cpu-prof', '--cpu-prof-interval', '250', '--cpu-prof-dir', profDir, FOI_BIN, 'answer', request, '--out', dir]);
    const prof = summariseProfile(latestProfile(profDir), 200);
    const inc = (re: RegExp, where = /./) => prof.inclusiveByFunction.filter((h) => re.test(h.name) && where.test(h.where)).reduce((a, h) => Math.max(a, h.share), 0);
    const moduleSelf = prof.selfByFile.filter((h) => h.name.startsWith('node:internal/modules')).reduce((a, h) => a + h.share, 0);
    const parts = [
      { share: inc(/^openRegister$/), what: 'opening the embedded MOPAC register (`openRegister`, src/context.ts)',
        fix: 'Open the embedded register from a pre-built SQLite image (`new Database(buffer)` / `db.deserialize()`) made at build time, so no command parses, validates and inserts data/mopac-register.yaml.' },
      { share: inc(/^prepare$/, /letters\/templates\.ts/), what: '`prepare` in src/letters/templates.ts (parse, lint and compile templates: only when they differ from the build\'s precompiled set)',
        fix: '' },
      { share: Math.max(0, inc(/^renderLetter$/) - inc(/^prepare$/, /letters\/templates\.ts/)), what: 'rendering the letter (`renderLetter` without `prepare`)', fix: '' },
      { share: inc(/^markdownToDocx$/), what: 'DOCX (`markdownToDocx`: Markdown lexing, the hand-written XML, the zip)', fix: '' },
      { share: inc(/^buildLetter$/), what: 'answering the request (`buildLetter`: queries and view)', fix: '' },
      { share: inc(/^writeXlsx$/), what: 'the workbook (`writeXlsx`: layout and SpreadsheetML written by hand)', fix: '' },
      { share: inc(/^parseRequestFile$/), what: 'reading the request file (`parseRequestFile`)', fix: '' },
      { share: moduleSelf, what: 'loading and compiling the bundle\'s chunks (self time in node:internal/modules: commander, yaml, marked, the Handlebars runtime and foi)',
        fix: 'On Node ≥ 22.1, `module.enableCompileCache()` would cache the compiled chunks between runs; on Node 20 what is left is to load less (e.g. a smaller YAML parser for request files).' },
    ].filter((p) => p.share >= 0.03).sort((a, b) => b.share - a.share);
    md += `\n### Where the time goes\n\nCPU profile of one \`foi answer\` (${fmtMs(prof.totalMs)} sampled at 250 µs, kept in \`${rel(profDir)}\`). The letter itself is little work; most of the time is per-process start-up. Shares of the profile (inclusive): `;
    md += parts.map((p) => `${p.what} ${(p.share * 100).toFixed(0)}%`).join('; ') + '.\n\n';
    md += formatHotTable(prof, 8) + '\n';
    fixes = parts.filter((p) => p.fix && p.share >= 0.05).map((p) => p.fix);
  }
  let misses = '';
  if (pandoc && answerRatio > ANSWER_TARGET) {
    misses += `### Cold start: foi answer\n\n**foi answer takes ${fmtMs(m.answer)}, ${fmtRatio(answerRatio)} pandoc's ${fmtMs(m.pandoc)} (target ≤ ${ANSWER_TARGET}×, i.e. ${fmtMs(m.pandoc * ANSWER_TARGET)}).** Where the time goes is in section 4.\n\n`;
    if (fixes.length) misses += `**What would close it.**\n\n${fixes.map((f) => `- ${f}`).join('\n')}\n`;
    misses += '\n';
  }
  if (helpRatio > HELP_TARGET) {
    misses += `### Cold start: foi --help\n\n**foi --help takes ${fmtMs(m.help)}, ${fmtRatio(helpRatio)} \`node -e 0\` (${fmtMs(m.node)}); target ≤ ${HELP_TARGET}×.** `;
    misses += `--help loads bin/foi, dist/cli.js (commander and the command table, bundled) and two small chunks; commands are imported lazily. What is left is Node's ESM loader for those files and commander's own start (~${fmtMs(m.help - m.node)} over bare node here).\n`;
  }
  rmSync(dir, { recursive: true, force: true });
  return { summary, markdown: md, misses };
}
