/**
 * Step 1, import: foi import of a 1,000,000-row 360Giving flat CSV against the sqlite3 shell's
 * `.import` of the same file into a plain table; foi's peak RSS; and, when a target is missed,
 * where the time and memory go (SQLite statement times, CPU profiles of both threads, retained heap).
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { CONFIG, clock, load, log, pass, type StepResult } from './bench.js';
import { headCsv, makeBigCsv, type CsvInfo } from './gen-csv.js';
import { DIST_BENCH, FOI_BIN, LLOYDS_JSON, ROOT, SHARED, SQLITE3, WORK } from './paths.js';
import { formatHotTable, latestProfile, summariseProfile, type ProfileSummary } from './profile.js';
import { run, type RunResult } from './proc.js';
import { mdTable, type SummaryRow } from './report.js';
import { fmtBytes, fmtInt, fmtMs, fmtRatio, fmtRuns, median } from './stats.js';
import type { ImportProbe } from '../measure-import.js';

const RSS_LIMIT = 500 * 1024 * 1024;
/** The full-size inputs are kept even when a trial run at another size cleans up. */
const DEFAULT_INPUTS = ['big-1000000.csv', 'slice-50000.csv', 'slice-20000.csv'];
/** Issue 9: ≤ 3× the sqlite3 shell (stretch 2×). */
const RATIO_TARGET = 3;
const RATIO_STRETCH = 2;
export const REGISTER = join(WORK, 'register-1m.sqlite');
/** The sqlite3 shell's flat table of the same CSV, kept for the listing comparison (removed at the end). */
export const SQLITE_FLAT = join(WORK, 'sqlite3-import.db');

const rel = (p: string) => relative(ROOT, p);
const removeDb = (p: string) => {
  for (const s of ['', '-wal', '-shm', '-journal']) rmSync(p + s, { force: true });
};

function countRows(path: string, table: string): number {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  } finally {
    db.close();
  }
}

async function probe(args: string[]): Promise<ImportProbe> {
  const r = await run(process.execPath, [...args], { keep: 1 << 20 });
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ImportProbe;
}

export interface ImportOutcome extends StepResult {
  /** The foi register with the million rows, for the query step (null when there is none). */
  register: string | null;
}

export async function importStep(): Promise<ImportOutcome> {
  const rows = CONFIG.rows;
  const title = `## 1. Import: ${fmtInt(rows)}-row 360Giving flat CSV`;
  if (!existsSync(LLOYDS_JSON)) {
    const why = `${rel(SHARED)} (or ${rel(LLOYDS_JSON)}) is missing, so the import and query steps were skipped: the big CSV is made from that file.`;
    log(`SKIP import and query: ${why}`);
    return {
      register: null,
      summary: [{ step: '1 Import', measure: 'foi import vs sqlite3 .import', foi: '-', baseline: '-', ratio: '-', target: `≤ ${RATIO_TARGET}×`, status: 'SKIP' }],
      markdown: `${title}\n\nSkipped: ${why}\n`,
      misses: '',
    };
  }
  mkdirSync(WORK, { recursive: true });
  // Inputs of other sizes (from trial runs with BENCH_ROWS) are not reused: remove them.
  const keep = new Set([`big-${rows}.csv`, `slice-${CONFIG.probeRows}.csv`, `slice-${CONFIG.heapRows}.csv`, ...DEFAULT_INPUTS]);
  for (const f of readdirSync(WORK)) {
    const m = /^((?:big|slice)-\d+\.csv)(?:\.stamp)?$/.exec(f);
    if (m && !keep.has(m[1])) rmSync(join(WORK, f), { force: true });
  }
  log(`making ${fmtInt(rows)}-row CSV from ${rel(LLOYDS_JSON)} (reused when unchanged)`);
  const csv: CsvInfo = makeBigCsv(LLOYDS_JSON, join(WORK, `big-${rows}.csv`), rows);
  log(`${rel(csv.path)}: ${fmtBytes(csv.bytes)}, ${csv.reused ? 'reused' : `written in ${fmtMs(csv.ms)}`}`);
  const loadBefore = load();

  // sqlite3 shell: the same file into a plain table, fresh database each run.
  let sqliteRuns: number[] = [];
  let sqliteNote = '';
  if (!existsSync(SQLITE3)) {
    sqliteNote = `${SQLITE3} is missing: \`apt-get install sqlite3\` is needed for this comparison; it was skipped.`;
    log(sqliteNote);
  } else {
    const db = SQLITE_FLAT;
    for (let i = 0; i < CONFIG.sqliteRuns; i++) {
      removeDb(db);
      const r = await run(SQLITE3, [db, '.bail on', '.mode csv', `.import "${csv.path}" grants`]);
      if (r.stderr.trim()) sqliteNote = `sqlite3 said: ${r.stderr.trim().split('\n')[0]}`;
      sqliteRuns.push(r.ms);
      log(`sqlite3 .import run ${i + 1}/${CONFIG.sqliteRuns}: ${fmtMs(r.ms)}`);
    }
    const n = countRows(db, 'grants');
    if (n !== rows) throw new Error(`sqlite3 imported ${n} rows, expected ${rows}`);
  }

  // foi import: the CLI, fresh register each run, peak RSS from getrusage at exit.
  const foiRuns: number[] = [];
  const foiRss: number[] = [];
  let timedOut = false;
  let foiOutput = '';
  for (let i = 0; i < CONFIG.foiImportRuns; i++) {
    removeDb(REGISTER);
    const timeoutMs = Math.max(60_000, Math.min(CONFIG.foiImportTimeoutMs, clock.remainingMs() - 200_000));
    log(`foi import run ${i + 1}/${CONFIG.foiImportRuns} (this is the slow one; stopped after ${fmtMs(timeoutMs)})`);
    const r: RunResult = await run(process.execPath, [FOI_BIN, 'import', csv.path, '--db', REGISTER], { measureRss: true, timeoutMs });
    if (r.timedOut) {
      timedOut = true;
      foiRuns.push(r.ms);
      log(`foi import stopped after ${fmtMs(r.ms)} (time limit)`);
      break;
    }
    foiRuns.push(r.ms);
    if (r.maxRssBytes) foiRss.push(r.maxRssBytes);
    foiOutput = r.stdout.split('\n')[0];
    log(`foi import run ${i + 1}: ${fmtMs(r.ms)}, peak RSS ${r.maxRssBytes ? fmtBytes(r.maxRssBytes) : 'n/a'}`);
  }
  let register: string | null = null;
  if (!timedOut) {
    const n = countRows(REGISTER, 'grants');
    if (n !== rows) throw new Error(`foi imported ${n} grants, expected ${rows}`);
    register = REGISTER;
  } else removeDb(REGISTER);
  const loadAfter = load();

  const sqliteMed = median(sqliteRuns);
  const foiMed = median(foiRuns);
  const ratio = foiMed / sqliteMed;
  const rss = foiRss.length ? Math.max(...foiRss) : NaN;
  const ratioOk = !timedOut && sqliteRuns.length > 0 && ratio <= RATIO_TARGET;
  const rssOk = Number.isFinite(rss) && rss < RSS_LIMIT;
  const foiCell = timedOut ? `> ${fmtMs(foiMed)} (stopped)` : fmtMs(foiMed);
  const summary: SummaryRow[] = [
    {
      step: '1 Import', measure: `foi import, ${fmtInt(rows)} rows (n=${foiRuns.length}) vs sqlite3 .import (n=${sqliteRuns.length})`,
      foi: foiCell, baseline: sqliteRuns.length ? fmtMs(sqliteMed) : 'n/a', ratio: sqliteRuns.length ? fmtRatio(ratio) + (timedOut ? '+' : '') : 'n/a',
      target: `≤ ${RATIO_TARGET}× (stretch ${RATIO_STRETCH}×)`, status: sqliteRuns.length ? pass(ratioOk) : 'SKIP',
    },
    { step: '1 Import', measure: 'foi import peak RSS', foi: Number.isFinite(rss) ? fmtBytes(rss) : 'n/a', baseline: '-', ratio: '-', target: '< 500 MiB', status: Number.isFinite(rss) ? pass(rssOk) : 'SKIP' },
    {
      step: '1 Import', measure: 'throughput (rows/s)', foi: timedOut ? '-' : fmtInt(rows / (foiMed / 1000)),
      baseline: sqliteRuns.length ? fmtInt(rows / (sqliteMed / 1000)) : 'n/a', ratio: '-', target: '-', status: 'INFO',
    },
  ];

  let md = `${title}\n\n`;
  md += `Input: \`${rel(csv.path)}\`, ${fmtInt(rows)} data rows, ${fmtBytes(csv.bytes)}, made by replicating \`${rel(LLOYDS_JSON)}\` `;
  md += `(${fmtInt(csv.sourceGrants)} grants): copy *k* of each grant gets id \`<id>-B<k>\` and its award and planned dates moved by (37·k mod 1461) days, `;
  md += `so the rows spread over financial years 2009-10 to 2019-20; dates keep the published date-time form; Beneficiary Location:Name is the recipient's city. `;
  md += `${csv.reused ? 'The file from an earlier run was reused.' : `Written in ${fmtMs(csv.ms)}.`}\n\n`;
  md += mdTable(['Tool', 'Command', 'Runs', 'Median', 'Rows/s', 'Peak RSS'], [
    ['sqlite3', `sqlite3 fresh.db ".mode csv" ".import big.csv grants"`, sqliteRuns.length ? fmtRuns(sqliteRuns) : 'skipped', sqliteRuns.length ? fmtMs(sqliteMed) : 'n/a', sqliteRuns.length ? fmtInt(rows / (sqliteMed / 1000)) : 'n/a', '-'],
    ['foi', 'foi import big.csv --db fresh.sqlite', fmtRuns(foiRuns) + (timedOut ? ' (stopped at the time limit)' : ''), foiCell, timedOut ? '-' : fmtInt(rows / (foiMed / 1000)), Number.isFinite(rss) ? fmtBytes(rss) : 'n/a'],
  ]) + '\n\n';
  md += `Each run starts from a new database file. sqlite3 creates one table of TEXT columns from the header, with no index, no types and no checks. `;
  md += `foi validates every row against the 360Giving schema (required fields, dates, amounts, currencies, org-id prefixes, duplicate ids) and stores grants, money lines, beneficiary locations, organisations and a full-text index with foreign keys on, in one all-or-nothing transaction. `;
  md += `foi ran ${CONFIG.foiImportRuns === 1 ? 'once: at this size one run takes minutes, so it is the step with fewer runs' : `${CONFIG.foiImportRuns} times`}. `;
  md += `Peak RSS is the child's getrusage maximum, reported at exit by a preloaded hook (\`bench/lib/rss-hook.ts\`).`;
  if (foiOutput) md += ` foi said: "${foiOutput}".`;
  if (sqliteNote) md += `\n\n${sqliteNote}`;
  md += `\n\nLoad average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAfter}.\n`;

  // Rows/s as the register grows: the same importFiles in process over the whole file, timed per tenth.
  if (CONFIG.diagnose && !timedOut && clock.remainingMs() > 240_000 + foiMed * 1.5) {
    log(`import rate by stage: in process, ${fmtInt(rows)} rows`);
    const probeDb = join(WORK, 'probe.sqlite');
    removeDb(probeDb);
    const step = Math.max(1, Math.round(rows / 10));
    const st = await probe([join(DIST_BENCH, 'measure-import.js'), csv.path, probeDb, '--step', String(step)]);
    removeDb(probeDb);
    const flat = rateByStage(st, rows);
    summary.push(flat.row);
    md += `\n${flat.markdown}`;
  }

  // Diagnosis, only for a miss.
  let misses = '';
  const missRatio = sqliteRuns.length > 0 && !ratioOk;
  const missRss = Number.isFinite(rss) && !rssOk;
  if ((missRatio || missRss || timedOut) && CONFIG.diagnose && clock.remainingMs() > 240_000) {
    misses = await diagnoseImport(csv, { missRatio: missRatio || timedOut, missRss, foiMs: foiMed, sqliteMs: sqliteMed, rss, timedOut });
  } else if (missRatio || missRss) {
    misses = `### Import\n\nMissed, but not profiled: the time budget was nearly used up.\n`;
  }
  return { register, summary, markdown: md, misses };
}

interface Misses { missRatio: boolean; missRss: boolean; foiMs: number; sqliteMs: number; rss: number; timedOut: boolean }

async function diagnoseImport(csv: CsvInfo, m: Misses): Promise<string> {
  const slice = headCsv(csv.path, join(WORK, `slice-${CONFIG.probeRows}.csv`), CONFIG.probeRows);
  const probeDb = join(WORK, 'probe.sqlite');
  const measure = join(DIST_BENCH, 'measure-import.js');
  const n = CONFIG.probeRows;
  let md = '### Import\n\n';
  if (m.missRatio) {
    md += `**foi import is ${m.timedOut ? 'more than ' : ''}${fmtRatio(m.foiMs / m.sqliteMs)} the sqlite3 shell's time (target ≤ ${RATIO_TARGET}×).** `;
  }
  if (m.missRss) md += `**Peak RSS ${fmtBytes(m.rss)} (target < 500 MiB).** `;
  md += `Profiled on the first ${fmtInt(n)} rows (\`${rel(slice)}\`).\n\n`;

  log(`import diagnosis: statement timings on ${fmtInt(n)} rows`);
  removeDb(probeDb);
  const st = await probe(['--expose-gc', measure, slice, probeDb, '--statements']);
  const stmtMs = (st.statements ?? []).reduce((a, s) => a + s.ms, 0);
  md += `**Where the time goes.** In process (\`bench/measure-import.ts\`, same \`importFiles\` as the CLI), ${fmtInt(n)} rows took ${fmtMs(st.ms)} (${fmtInt(n / (st.ms / 1000))} rows/s). `;
  md += `Time inside SQLite, timed around every better-sqlite3 call: ${fmtMs(stmtMs)}, **${((stmtMs / st.ms) * 100).toFixed(0)}%** of the import; the rest is the writing thread's own JavaScript and its waits for the reading thread (below).\n\n`;
  md += mdTable(['SQLite statement', 'Calls', 'Total', 'µs/call', 'Share of import'],
    (st.statements ?? []).filter((s) => s.ms >= st.ms * 0.005).slice(0, 10).map((s) => [
      `\`${s.sql.length > 90 ? s.sql.slice(0, 87) + '...' : s.sql}\``, fmtInt(s.calls), fmtMs(s.ms), (s.calls ? (s.ms * 1000) / s.calls : 0).toFixed(1), `${((s.ms / st.ms) * 100).toFixed(1)}%`,
    ])) + '\n\n';
  log('import diagnosis: CPU profiles of foi import (writing and reading threads)');
  const profDir = join(WORK, 'prof', 'import');
  rmSync(profDir, { recursive: true, force: true });
  removeDb(probeDb);
  const wall = await run(process.execPath, ['--cpu-prof', '--cpu-prof-dir', profDir, FOI_BIN, 'import', slice, '--db', probeDb]);
  const { main: prof, reader } = threadProfiles(profDir);
  const indexes = countRows(probeDb, "sqlite_master WHERE type = 'index' AND tbl_name IN ('grants', 'allocation', 'grant_location', 'grant_classification')");
  const idle = selfShare(prof, /^\(idle\)$/);
  md += `**CPU profiles** (\`node --cpu-prof bin/foi import ${rel(slice)}\`, ${fmtMs(wall.ms)} under the profiler; profiles kept in \`${rel(profDir)}\`). `;
  md += `A file of 2 MiB or more is read, validated and mapped in a reading thread (src/import/stored-360.ts) while the main thread writes. `;
  md += `better-sqlite3 calls are native, so SQLite's own time shows as *self* time of the JavaScript function that runs the statement (writeStored, flush, finishFile in src/register/writer.ts).\n\n`;
  md += `Writing (main) thread: ${fmtMs(prof.totalMs)} sampled, **${(idle * 100).toFixed(0)}% idle**, waiting for the reading thread's next batch.\n\n`;
  md += formatHotTable(prof, 8) + '\n\n';
  if (reader) {
    md += `Reading thread: ${fmtMs(reader.totalMs)} sampled (CSV parsing, 360Giving validation and mapping, the stored form and its content hash, the file's sha256).\n\n`;
    md += formatHotTable(reader, 10) + '\n\n';
  }
  removeDb(probeDb);
  if (m.missRss) {
    log(`import diagnosis: retained heap after ${fmtInt(CONFIG.heapRows)} rows`);
    const small = headCsv(csv.path, join(WORK, `slice-${CONFIG.heapRows}.csv`), CONFIG.heapRows);
    removeDb(probeDb);
    const hp = await probe(['--expose-gc', measure, small, probeDb, '--retainers']);
    removeDb(probeDb);
    md += `**Memory.** Peak RSS ${fmtBytes(m.rss)} for ${fmtInt(CONFIG.rows)} rows, against ${fmtBytes(st.maxRssBytes)} for ${fmtInt(n)} rows in process; `;
    md += `heap still in use after the import and a full GC: ${fmtBytes(st.heapAfterGcBytes ?? NaN)} for ${fmtInt(n)} rows (${fmtInt((st.heapAfterGcBytes ?? 0) / n)} bytes per row), ${fmtBytes(hp.heapAfterGcBytes ?? NaN)} for ${fmtInt(CONFIG.heapRows)} rows. `;
    if (hp.heap && hp.heap.bigStrings) {
      md += `A heap snapshot after ${fmtInt(CONFIG.heapRows)} rows holds ${hp.heap.bigStrings} strings of 256 KiB or more (${fmtBytes(hp.heap.bigStringBytes)}: decoded 1 MiB file chunks), kept alive by:\n\n`;
      md += mdTable(['Held by', 'Strings', 'Bytes'], hp.heap.retentions.map((r) => [r.via, String(r.strings), fmtBytes(r.bytes)])) + '\n\n';
      md += `A short \`slice()\` of a big string keeps the whole parent alive in V8 (a *sliced string*); anything kept past its chunk needs a real copy.\n\n`;
    } else {
      md += `A heap snapshot after ${fmtInt(CONFIG.heapRows)} rows holds no large strings, so file chunks are not being retained; the peak is live data during the run (below).\n\n`;
    }
  }
  removeDb(probeDb);
  md += importAdvice(st, indexes, reader, idle, m);
  return md;
}

/** The main thread's profile and the reading thread's (node names a profile by thread: `CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile`). */
function threadProfiles(dir: string): { main: ProfileSummary; reader: ProfileSummary | null } {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  const thread = (f: string) => Number(f.split('.').at(-3));
  const main = files.find((f) => thread(f) === 0);
  const other = files.find((f) => thread(f) !== 0);
  return {
    main: summariseProfile(main ? join(dir, main) : latestProfile(dir), 40),
    reader: other ? summariseProfile(join(dir, other), 40) : null,
  };
}

function selfShare(prof: ProfileSummary, re: RegExp): number {
  return prof.selfByFunction.filter((h) => re.test(h.name)).reduce((a, h) => a + h.share, 0);
}

function importAdvice(st: ImportProbe, indexes: number, reader: ProfileSummary | null, idle: number, m: Misses): string {
  const stmtMs = (st.statements ?? []).reduce((a, s) => a + s.ms, 0);
  const sqliteShare = stmtMs / st.ms;
  const lines: string[] = [];
  if (m.missRatio) {
    const sqliteOnly = sqliteShare * m.foiMs;
    lines.push(`SQLite work alone is about ${fmtMs(sqliteOnly)} of the ${fmtInt(CONFIG.rows)}-row import (${(sqliteShare * 100).toFixed(0)}% of the in-process time above), already ${fmtRatio(sqliteOnly / m.sqliteMs)} the sqlite3 shell's whole import, which appends one row of text to one table. foi writes a grants row (with its values as published, for a faithful 360Giving record) and its id index, a money line, a beneficiary location, the full-text index and ${indexes} indexes (built in one pass at the end of an import into an empty register), and commits through the write-ahead log: no JavaScript speed-up alone reaches ${RATIO_TARGET}×.`);
    if (reader && idle > 0.1) {
      lines.push(`The writing thread waits for the reading thread ${(idle * 100).toFixed(0)}% of its time: reading is the longer of the two. Its cost is spread thin (see its profile: CSV records, schema checks, dates, the stored form and its hash, garbage collection); with two cores, one of them writing, a second reading thread would have no core of its own.`);
    }
    lines.push(`Reaching ${RATIO_TARGET}× needs foi ${fmtRatio(m.foiMs / m.sqliteMs / RATIO_TARGET)} faster overall, in both threads at once: fewer bytes and B-tree entries per grant (fewer indexes, the as-published values only where they differ from the stored ones) and a reader that does less per field.`);
  }
  if (m.missRss) {
    lines.push(`Memory: anything the reader keeps per row (ids for the duplicate check, memo tables, normalisation notes) must be a copied string, never a slice of a file chunk; and the duplicate-id check can use the register's own primary key (or a compact hash set) instead of a Map of a million strings.`);
  }
  return lines.length ? `**What would close it.**\n\n${lines.map((l) => `- ${l}`).join('\n')}\n` : '';
}

/**
 * Issue 9: rows/s flat, not falling, as the register grows. Rate of each stage (a tenth of the
 * rows) of an in-process import; the end steps (index builds, the full-text fill, commit) after
 * the last row are reported apart. Flat: the last stage at least 80% of the median stage.
 */
function rateByStage(st: ImportProbe, rows: number): { row: SummaryRow; markdown: string } {
  const points = [{ rows: 0, ms: 0, rssBytes: 0 }, ...st.progress];
  const stages: { from: number; to: number; rate: number; rss: number }[] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    if (b.rows <= a.rows || b.ms <= a.ms) continue;
    stages.push({ from: a.rows, to: b.rows, rate: (b.rows - a.rows) / ((b.ms - a.ms) / 1000), rss: b.rssBytes });
  }
  const lastRow = st.progress.length ? st.progress[st.progress.length - 1] : null;
  const endMs = lastRow ? st.ms - lastRow.ms : NaN;
  // The first stage starts the reading thread and warms up: compare the last with the median.
  const mid = median(stages.map((x) => x.rate));
  const last = stages.length ? stages[stages.length - 1].rate : NaN;
  const ok = stages.length >= 3 && last >= 0.8 * mid;
  const row: SummaryRow = {
    step: '1 Import', measure: `rows/s as the register grows: last tenth vs median tenth (in process, n=1)`,
    foi: `${fmtInt(last)} vs ${fmtInt(mid)}`, baseline: '-', ratio: fmtRatio(last / mid), target: 'flat (≥ 0.8×)', status: stages.length >= 3 ? pass(ok) : 'SKIP',
  };
  let md = `**Rate as the register grows.** The same \`importFiles\` in process (\`bench/measure-import.ts --step ${Math.round(rows / 10)}\`) over the whole file into a new register: ${fmtMs(st.ms)} in all, of which ${fmtMs(endMs)} after the last row (indexes built in one pass, the full-text index filled, commit).\n\n`;
  md += mdTable(['Rows', 'Rows/s', 'RSS at the end of the stage'], stages.map((x) => [`${fmtInt(x.from)} to ${fmtInt(x.to)}`, fmtInt(x.rate), fmtBytes(x.rss)])) + '\n';
  return { row, markdown: md };
}
