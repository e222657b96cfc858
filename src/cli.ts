/**
 * The command line. Each command module is imported only when it runs, so `foi --help` stays fast
 * and docx, handlebars and inquirer load only in the commands that need them. One catch maps typed
 * errors to exit codes: 0 ok, 1 failure, 2 usage. Stack traces only with --debug.
 */
import { Command, CommanderError, Option } from 'commander';
import { FoiError, fileSystemMessage } from './core/errors.js';
import { terminalText } from './core/control-chars.js';
import { makeContext, type Ctx, type GlobalOptions } from './context.js';
import { addCriteriaOptions } from './commands/criteria-options.js';
import { addLogCommands } from './commands/log/program.js';

// Options are typed by each command module; commander has already validated their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Action = (ctx: Ctx, args: unknown[], opts: any) => Promise<number | void>;

/** Wire a command to a lazily imported module exporting `run(ctx, args, opts)`. */
function lazy(load: () => Promise<{ run: Action }>) {
  return async (...all: unknown[]) => {
    const cmd = all[all.length - 1] as Command;
    const opts = cmd.opts();
    const globals = cmd.optsWithGlobals() as GlobalOptions;
    const args = all.slice(0, -2);
    const ctx = makeContext(globals);
    const mod = await load();
    const code = await mod.run(ctx, args, opts);
    if (typeof code === 'number' && code !== 0) process.exitCode = code;
  };
}

const formatOption = (extra: string[] = []) =>
  new Option('--format <format>', 'output format').choices(['table', 'csv', 'json', 'md', ...extra]).default('table');

/** `foi answer --help`: the outcomes and columns a request can use (kept in step with request.ts by a test). */
const ANSWER_HELP = `
Outcomes (a question's "outcome:", or --outcome):
  held           the information is given (the default)
  partly held    some of it is given; say what is not
  not held       the body does not hold it (s.1(1)(a)); refused if the criteria match rows, unless despiteMatches says why
  exempt         withheld under an exemption (exemption: { section: 21 | 31 | 38 | 40(2) | 43(2), reason })
  refused cost   refused under s.12 (the cost limit), with s.16 advice

Columns (a question's "columns:", or --columns a,b,c):
  grant, programme, amount, basis, period, provider, recipient, funder, services, description,
  outcome, operating-in, financial-year, source, flag:NAME (Y/N), figure:MEASURE
  (foi themes lists the flags and measures this register knows)

Request files also take, per question: includeSuperseded, order (year | name | register | amount),
grandTotal, total, tablePer (year | none), tables (several tables for one question), despiteMatches.
`;

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function buildProgram(): Command {
  const program = new Command('foi')
    .description('Answer Freedom of Information requests about grants from a local register: Markdown and DOCX letters.')
    .version(process.env.npm_package_version ?? '0.1.0', '-V, --version')
    .option('--db <path>', 'register file (default: FOI_DB, else the embedded MOPAC register, read-only)')
    .option('--debug', 'show stack traces on errors')
    .showHelpAfterError('(run "foi --help" for usage)')
    .exitOverride();

  program
    .command('init')
    .description('create a register file (empty, or with the MOPAC sample data)')
    .option('--sample', 'load the embedded MOPAC register into it')
    .action(lazy(() => import('./commands/init.js')));

  program
    .command('import')
    .description('import 360Giving JSON/CSV or foi-register YAML/JSON files, all or nothing')
    .argument('<files...>', 'files to import')
    .option('--dry-run', 'validate and report, write nothing')
    .option('--max-errors <n>', 'stop after this many errors', '50')
    .option('--report <file>', 'write every error, warning, notice and normalised value to this JSON file')
    .option('--encoding <name>', 'text encoding of the files when not UTF-8, e.g. windows-1252')
    .option('--prune', 'mark grants no longer in a re-imported file (same funder and publisher) withdrawn; nothing is deleted')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(lazy(() => import('./commands/import.js')));

  addCriteriaOptions(program
    .command('grants')
    .description('list grants (one row per money line) by financial year and criteria'))
    .addOption(new Option('--order <order>', 'row order (register: as in the source document)').choices(['year', 'name', 'register', 'amount']).default('year'))
    .addOption(formatOption(['xlsx']))
    .option('--totals-only', 'print the count and totals (per currency, and what they leave out) without the rows')
    .option('--out <file>', 'write the listing to this file instead of printing it (required for xlsx)')
    .action(lazy(() => import('./commands/grants.js')));

  addCriteriaOptions(program
    .command('export')
    .description('export the register (or the grants the criteria select) as 360Giving open data, valid against the official schema')
    .argument('<standard>', 'what to export as: 360giving'))
    .requiredOption('--out <file>', 'file to write (atomically): .json (a 360Giving package), .csv or .xlsx (the flattened form)')
    .addOption(new Option('--format <format>', 'json, or the flattened form as csv or xlsx (default: from the --out file name, else json)').choices(['json', 'csv', 'xlsx']))
    .option('--include-notes', "include officers' notes on money lines (left out of open data by default)")
    .option('--skip-incomplete', 'leave out grants the standard cannot express without inventing a figure, and say which (default: fail and write nothing)')
    .action(lazy(() => import('./commands/export.js')));

  program
    .command('show')
    .description('everything the register holds about one grant: money lines, variations, figures, flags, sources')
    .argument('<grant-id>', 'grant identifier, e.g. 360G-MOPAC-MASIP')
    .option('--as-at <date>', 'read the register as it was at a date (end of that day, London) or time')
    .addOption(formatOption())
    .action(lazy(() => import('./commands/show.js')));

  program
    .command('history')
    .description('every version of one grant: when it was added and each change since, by which import or command, old and new values')
    .argument('<grant-id>', 'grant identifier')
    .addOption(formatOption())
    .action(lazy(() => import('./commands/history.js')));

  program
    .command('check')
    .description('reconcile stated totals against their rows and report data-quality warnings')
    .addOption(formatOption())
    .action(lazy(() => import('./commands/check.js')));

  program
    .command('themes')
    .description('list the themes, flags and measures the register knows')
    .addOption(formatOption())
    .action(lazy(() => import('./commands/themes.js')));

  program
    .command('deadline')
    .description('the FOIA s.10 due date: 20 working days, UK-wide bank holidays')
    .argument('<date>', 'date the request was received, e.g. 2025-12-15 or 15/12/2025')
    .option('--explain', 'list every counted and skipped day and why')
    .option('--days <n>', 'working days allowed', '20')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(lazy(() => import('./commands/deadline.js')));

  program
    .command('answer')
    .description('write the response letter (Markdown and DOCX) and its answer record')
    .argument('[request]', 'request file (YAML); or give the request with the flags below')
    .option('--out <dir>', 'folder to write into', '.')
    .option('--ref <reference>', 'our reference, e.g. "FOI 556"')
    .option('--received <date>', 'date the request was received')
    .option('--response-date <date>', 'date of the response (default: today)')
    .option('--requester <name>', "requester's name")
    .option('--fy <year>', 'financial year or range (repeatable)', collect, [])
    .option('--theme <theme>', 'theme (repeatable)', collect, [])
    .option('--text <words>', 'full-text criteria')
    .option('--recipient <name>', 'recipient criteria')
    .option('--funder <name>', 'funder criteria')
    .option('--programme <name>', 'programme criteria')
    .option('--flag <name=y|n>', 'flag criteria (repeatable)', collect, [])
    .option('--columns <list>', 'columns, e.g. grant,amount,provider,services,outcome,flag:non-ex-intimate')
    .option('--wording <text>', "the requester's words, quoted in the letter")
    .option('--outcome <outcome>', 'held, partly held, not held, exempt or refused cost (see below)', undefined)
    .option('--template <name>', 'template to use (default: chosen by outcome)')
    .option('--templates <dir>', 'folder of templates and partials that add to or override the shipped ones')
    .option('--body <file>', "the body's details (YAML); default: MOPAC")
    .option('--reference-docx <file>', 'a .docx whose styles the letter uses')
    .option('--md-only', 'write Markdown only (no DOCX or workbook)')
    .option('--no-input', 'never prompt; fail if facts are missing')
    .option('--as-at <date>', 'read the register as it was at a date (end of that day, London) or time')
    .option('--strict', 'refuse to write while the body file still holds placeholder values')
    .addHelpText('after', ANSWER_HELP)
    .action(lazy(() => import('./commands/answer.js')));

  program
    .command('verify')
    .description('re-run an answer on the current register and report which figures changed (exit 1 if any)')
    .argument('<answer-json>', 'a <ref>.answer.json written by foi answer')
    .option('--body <file>', "the body's details (YAML); default: MOPAC")
    .option('--letter-version <n>', 'check an earlier version of the letter kept in the record (1 = the first written)')
    .option('--as-at <date>', 'read the register as it was at a date (end of that day, London) or time')
    .addOption(formatOption())
    .action(lazy(() => import('./commands/verify.js')));

  program
    .command('batch')
    .description('answer every request file under a folder; write only outputs that changed')
    .argument('<dir>', 'folder of request files (searched recursively)')
    .option('--out <dir>', 'folder to write letters, tables and answer records into')
    .option('--check', 'write nothing; exit 1 if any output would change')
    .option('--templates <dir>', 'folder of templates and partials that add to or override the shipped ones')
    .option('--body <file>', "the body's details (YAML); default: MOPAC")
    .option('--reference-docx <file>', 'a .docx whose styles the letters use')
    .option('--jobs <n>', 'requests answered in parallel (default: one per core, at most 4, for 50 or more requests)')
    .option('--strict', 'refuse to write while the body file still holds placeholder values')
    .addOption(formatOption())
    .action(lazy(() => import('./commands/batch.js')));

  program
    .command('publish')
    .description('build the disclosure log website from a letters folder; write only pages that changed')
    .argument('<letters-dir>', 'folder that foi batch or foi answer wrote (searched recursively)')
    .option('--site <dir>', 'folder to write the website into')
    .option('--base-url <url>', 'where the site is served, for absolute links in the feeds (default: site.baseUrl in the body file)')
    .option('--check', 'write nothing; exit 1 if the site would change')
    .option('--body <file>', "the body's details and house style (YAML); default: MOPAC")
    .option('--reference-docx <file>', 'a .docx whose styles the published letters use')
    .addOption(formatOption())
    .action(lazy(() => import('./commands/publish.js')));

  program
    .command('templates')
    .description('list the letter templates, or check them: foi templates check')
    .argument('[action]', '"check" to lint every template and partial', 'list')
    .option('--templates <dir>', 'folder of templates and partials that add to or override the shipped ones')
    .addOption(formatOption())
    .action(lazy(() => import('./commands/templates.js')));

  addLogCommands(program, { lazy, formatOption, collect });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  const debug = argv.includes('--debug');
  // `foi grants | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  try {
    await program.parseAsync(argv);
  } catch (e) {
    process.exitCode = reportError(e, debug);
  }
}

export function reportError(e: unknown, debug: boolean): number {
  if (e instanceof CommanderError) {
    // Commander has already printed its message (or the help/version text).
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    return 2;
  }
  if (e instanceof FoiError) {
    // Messages quote data (a value, a name, a file name): shown for the terminal, never as escapes.
    process.stderr.write(`foi: ${terminalText(e.message)}\n`);
    for (const d of e.details) process.stderr.write(`  ${terminalText(d)}\n`);
    if (debug && e.stack) process.stderr.write(e.stack + '\n');
    return e.exitCode;
  }
  const err = e as Error;
  const fs = fileSystemMessage(e);
  if (fs && !debug) {
    process.stderr.write(`foi: ${terminalText(fs)}\n`);
    return 1;
  }
  process.stderr.write(`foi: ${terminalText(err?.message ?? String(e))}${debug ? '' : ' (run with --debug for details)'}\n`);
  if (debug && err?.stack) process.stderr.write(err.stack + '\n');
  return 1;
}
