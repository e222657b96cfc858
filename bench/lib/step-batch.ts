/**
 * Step 3, batch: `foi batch` over 1,000 request files (one process: Markdown, DOCX, CSV and
 * answer.json per request) against one `pandoc letter.md -o letter.docx` process per letter,
 * run sequentially on a sample of the same Markdown letters and scaled up.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CONFIG, clock, load, log, pass, type StepResult } from './bench.js';
import { makeRequests } from './gen-requests.js';
import { FOI_BIN, ROOT, WORK } from './paths.js';
import { formatHotTable, summariseProfile, type ProfileSummary } from './profile.js';
import { run, which } from './proc.js';
import { mdTable, type SummaryRow } from './report.js';
import { fmtInt, fmtMs, fmtRatio, fmtRuns, median } from './stats.js';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { markdownToDocx } from '../../src/render/markdown-to-docx.js';
import { loadBodyConfig } from '../../src/letters/body-config.js';

/** In process: median ms of markdownToDocx for a real letter and for a one-word document. */
async function docxFloor(letter: string): Promise<{ letterMs: number; tinyMs: number }> {
  const body = loadBodyConfig(null);
  const opts = { footerText: `${body.shortName} FOI B0001`, letterhead: body.letterhead, title: 'Freedom of Information request FOI B0001', creator: body.name, documentDate: '2023-08-23' };
  const time = async (md: string) => {
    for (let i = 0; i < 5; i++) await markdownToDocx(md, opts);
    const xs: number[] = [];
    for (let i = 0; i < 25; i++) {
      const t0 = performance.now();
      await markdownToDocx(md, opts);
      xs.push(performance.now() - t0);
    }
    return median(xs);
  };
  return { letterMs: await time(letter), tinyMs: await time('Hello.') };
}

const TARGET = 10;
const scale = (x: number) => x.toFixed(1).replace(/\.0$/, '');
const rel = (p: string) => relative(ROOT, p);

/** Every `every`-th letter, alternating the offset so both request kinds (odd/even) are sampled. */
export function sampleLetters(letters: string[], size: number): string[] {
  const every = Math.max(1, Math.floor(letters.length / size));
  const out: string[] = [];
  for (let k = 0; k * every < letters.length && out.length < size; k++) out.push(letters[Math.min(letters.length - 1, k * every + (k % 2))]);
  return out;
}

export async function batchStep(): Promise<StepResult & { letters: string | null }> {
  const n = CONFIG.requests;
  const title = `## 3. Batch: ${fmtInt(n)} letters`;
  const reqDir = join(WORK, 'requests');
  const outDir = join(WORK, 'batch-out');
  const req = makeRequests(reqDir, n);
  log(`${rel(reqDir)}: ${n} request files ${req.reused ? '(reused)' : 'written'}`);
  const loadBefore = load();
  const runs: number[] = [];
  let note = '';
  for (let i = 0; i < CONFIG.batchRuns; i++) {
    rmSync(outDir, { recursive: true, force: true });
    const r = await run(process.execPath, [FOI_BIN, 'batch', reqDir, '--out', outDir], { keep: 4 << 20 });
    runs.push(r.ms);
    note = r.stdout.split('\n').find((l) => /^\d+ requests:/.test(l.trim()))?.trim() ?? '';
    log(`foi batch run ${i + 1}/${CONFIG.batchRuns}: ${fmtMs(r.ms)} (${note})`);
  }
  const files = readdirSync(outDir);
  const letters = files.filter((f) => f.endsWith('.md')).sort();
  const docx = files.filter((f) => f.endsWith('.docx')).length;
  if (letters.length !== n || docx !== n) throw new Error(`foi batch wrote ${letters.length} .md and ${docx} .docx files, expected ${n} of each`);

  const pandoc = which('pandoc');
  const foiMed = median(runs);
  let md = `${title}\n\n`;
  md += `${fmtInt(n)} request files in \`${rel(reqDir)}\`, made from \`examples/seed-003-foi-556.yaml\` (even numbers) and \`examples/seed-000-stalking-grants.yaml\` (odd numbers) with their own reference (FOI B0001…), requester, received date and a fixed response date (seed-000 variants also rotate their financial years), against the embedded MOPAC register (no --db). `;
  md += `\`foi batch ${rel(reqDir)} --out ${rel(outDir)}\` runs in one process and writes, per request, the Markdown letter, the DOCX, a CSV per table, the workbook (.xlsx) and the answer.json (${fmtInt(files.length)} files); the output folder is emptied before each run so every file is really written.\n\n`;
  const summary: SummaryRow[] = [];
  if (!pandoc) {
    md += mdTable(['Tool', 'Runs', 'Median', 'Per letter'], [['foi batch', fmtRuns(runs), fmtMs(foiMed), fmtMs(foiMed / n)]]) + '\n\npandoc is not installed, so the comparison was skipped (`apt-get install pandoc`).\n';
    summary.push({ step: '3 Batch', measure: `foi batch, ${fmtInt(n)} letters vs pandoc per letter`, foi: fmtMs(foiMed), baseline: 'n/a', ratio: 'n/a', target: `≥ ${TARGET}× faster`, status: 'SKIP' });
    return { summary, markdown: md, misses: '', letters: outDir };
  }
  const sample = sampleLetters(letters, Math.min(CONFIG.pandocSample, n));
  const pandocDir = join(WORK, 'pandoc-out');
  rmSync(pandocDir, { recursive: true, force: true });
  mkdirSync(pandocDir, { recursive: true });
  log(`pandoc on ${sample.length} of the ${n} letters, one process each, sequentially`);
  let pandocSum = 0;
  const each: number[] = [];
  for (const f of sample) {
    const r = await run(pandoc, [join(outDir, f), '-o', join(pandocDir, f.replace(/\.md$/, '.docx'))]);
    pandocSum += r.ms;
    each.push(r.ms);
  }
  const pandocTotal = (pandocSum * n) / sample.length;
  const ratio = pandocTotal / foiMed;
  const loadAfter = load();
  log(`pandoc: ${fmtMs(pandocSum)} for ${sample.length} letters, about ${fmtMs(pandocTotal)} for ${n}; foi batch ${fmtMs(foiMed)}: ${fmtRatio(ratio)}`);
  summary.push({
    step: '3 Batch', measure: `foi batch, ${fmtInt(n)} letters (n=${runs.length}) vs pandoc, 1 process per letter (${sample.length} timed, ×${scale(n / sample.length)})`,
    foi: fmtMs(foiMed), baseline: fmtMs(pandocTotal), ratio: `${fmtRatio(ratio)} faster`, target: `≥ ${TARGET}× faster`, status: pass(ratio >= TARGET),
  });
  md += mdTable(['Tool', 'What is timed', 'Runs', 'Total (median)', 'Per letter'], [
    ['foi batch', `${fmtInt(n)} requests → .md, .docx, .csv, .xlsx, .answer.json`, fmtRuns(runs), fmtMs(foiMed), fmtMs(foiMed / n)],
    ['pandoc', `\`pandoc letter.md -o letter.docx\`, one process per letter, sequential; ${sample.length} of the ${fmtInt(n)} letters timed (both kinds), total scaled ×${scale(n / sample.length)}`, `1 (sum of ${sample.length}; median letter ${fmtMs(median(each))})`, `${fmtMs(pandocTotal)} (est.)`, fmtMs(pandocSum / sample.length)],
  ]) + '\n\n';
  md += `foi batch is **${fmtRatio(ratio)}** faster than the pandoc loop (target ≥ ${TARGET}×), while also answering the requests (query, Handlebars letter, CSV, workbook, answer record) that pandoc is handed ready-made. Load average before: ${loadBefore}; after: ${loadAfter}.\n`;

  // Where the time goes, pass or miss: a CPU profile of every thread of a smaller batch.
  let workbookShare = 0;
  if (CONFIG.diagnose && clock.remainingMs() > 45_000) {
    const p = await profileBatch(reqDir, outDir, letters[0]!);
    md += '\n' + p.md;
    workbookShare = p.workbookShare;
  }
  let misses = '';
  if (ratio < TARGET) {
    misses = `### Batch\n\n**foi batch is ${fmtRatio(ratio)} faster than one pandoc process per letter (target ≥ ${TARGET}×):** ${fmtMs(foiMed / n)} per letter against pandoc's ${fmtMs(pandocSum / sample.length)}; ${TARGET}× needs ${fmtMs(pandocSum / sample.length / TARGET)} per letter. Where the time goes is in section 3.\n`;
    if (workbookShare >= 0.1) misses += `\n**What would close it.** The workbook is ${(workbookShare * 100).toFixed(0)}% of a worker's time (\`writeXlsx\`: the layout of each sheet and its SpreadsheetML, src/output/xlsx.ts and xlsx-parts.ts).\n`;
  }
  return { summary, markdown: md, misses, letters: outDir };
}

/** Profile `foi batch` on the first requests (main thread and each worker) and say where the time goes. */
async function profileBatch(reqDir: string, outDir: string, firstLetter: string): Promise<{ md: string; workbookShare: number }> {
  const sub = join(WORK, 'requests-profile');
  rmSync(sub, { recursive: true, force: true });
  mkdirSync(sub, { recursive: true });
  const reqs = readdirSync(reqDir).sort().slice(0, CONFIG.batchProfileRequests);
  for (const f of reqs) copyFileSync(join(reqDir, f), join(sub, f));
  const profDir = join(WORK, 'prof', 'batch');
  const out = join(WORK, 'batch-profile-out');
  rmSync(profDir, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
  log(`batch: CPU profile of foi batch on ${reqs.length} requests (every thread)`);
  await run(process.execPath, ['--cpu-prof', '--cpu-prof-dir', profDir, FOI_BIN, 'batch', sub, '--out', out, '--jobs', '2'], { keep: 1024 });
  rmSync(out, { recursive: true, force: true });
  // One profile per thread: the main thread (first) and the two workers.
  const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile')).sort();
  const profs = files.map((f) => summariseProfile(join(profDir, f), 300));
  const main = profs[0]!;
  const workers = profs.slice(1);
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  const incOf = (p: ProfileSummary, re: RegExp) => p.inclusiveByFunction.filter((h) => re.test(h.name)).reduce((a, h) => Math.max(a, h.share), 0);
  const workerShare = (re: RegExp) => (workers.length ? workers.reduce((a, w) => a + incOf(w, re), 0) / workers.length : incOf(main, re));
  const floor = await docxFloor(readFileSync(join(outDir, firstLetter), 'utf8'));
  let md = `### Where the time goes\n\n\`node --cpu-prof bin/foi batch\` on the first ${reqs.length} requests with two worker threads (profiles of every thread kept in \`${rel(profDir)}\`). `;
  md += `The main thread hands out request files and writes the outputs; the workers answer. Shares of each worker's sampled time (mean of ${workers.length}): `;
  md += [
    ['answering (`produceAnswer`)', /^produceAnswer$/], ['reading the request YAML (`parseRequestFile`)', /^parseRequestFile$/],
    ['querying the register and building the letter\'s view (`buildLetter`)', /^buildLetter$/], ['filling the templates (`renderLetter`)', /^renderLetter$/],
    ['Markdown to DOCX (`markdownToDocx`)', /^markdownToDocx$/], ['of which lexing the Markdown (marked, `lexMarkdown`)', /^lexMarkdown$/], ['the zip (`packDocx`)', /^packDocx$/],
    ['the workbook (`writeXlsx`)', /^writeXlsx$/],
  ].map(([what, re]) => `${what} ${pct(workerShare(re as RegExp))}`).join('; ') + '. ';
  md += `On the main thread, writing (\`AtomicWriter.write\`: temp file, fsync, rename) is ${pct(incOf(main, /^write$/))} of its ${fmtMs(main.totalMs)}. `;
  md += `In process, \`markdownToDocx\` takes ${fmtMs(floor.letterMs)} for a letter (${firstLetter}) and ${fmtMs(floor.tinyMs)} for the one-word document "Hello.": the constant parts of the package are made once (at build time) and copied compressed, so a letter pays only for its own parts.\n\n`;
  md += `Busiest worker:\n\n${formatHotTable(workers.length ? workers.reduce((a, b) => (a.totalMs >= b.totalMs ? a : b)) : main, 10)}\n\n`;
  md += `Main thread:\n\n${formatHotTable(main, 6)}\n`;
  return { md, workbookShare: workerShare(/^writeXlsx$/) };
}

export function cleanBatch(): void {
  for (const d of ['batch-out', 'pandoc-out', 'requests-profile', 'batch-profile-out']) rmSync(join(WORK, d), { recursive: true, force: true });
  if (!existsSync(WORK)) mkdirSync(WORK, { recursive: true });
}
