/**
 * The command line. Each command module is imported only when it runs, so `foi --help` stays fast
 * and docx, handlebars and inquirer load only in the commands that need them. One catch maps typed
 * errors to exit codes: 0 ok, 1 failure, 2 usage. Stack traces only with --debug.
 */
import { Command, CommanderError, Option } from 'commander';
import { FoiError } from './core/errors.js';
import { makeContext, type Ctx, type GlobalOptions } from './context.js';

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

const formatOption = () =>
  new Option('--format <format>', 'output format').choices(['table', 'csv', 'json', 'md']).default('table');

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
    .action(lazy(() => import('./commands/import.js')));

  program
    .command('grants')
    .description('list grants (one row per money line) by financial year and criteria')
    .option('--fy <year>', 'financial year, e.g. 2017-18, or a range 2017-18..2019-20 (repeatable)', collect, [])
    .option('--theme <theme>', 'theme name, e.g. stalking (repeatable: all must match)', collect, [])
    .option('--text <words>', 'full-text search over title, description and outcomes')
    .option('--recipient <name>', 'recipient name (part) or org-id')
    .option('--funder <name>', 'funder name (part), org-id or funding stream')
    .option('--programme <name>', 'grant programme title (part) or code')
    .option('--min <amount>', 'minimum amount, e.g. 10000 or £10,000')
    .option('--max <amount>', 'maximum amount')
    .option('--flag <name=y|n>', 'eligibility flag, e.g. non-ex-intimate=y (repeatable)', collect, [])
    .option('--include-superseded', 'also show budgets replaced by a revision')
    .addOption(formatOption())
    .action(lazy(() => import('./commands/grants.js')));

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

  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  const debug = argv.includes('--debug');
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
    process.stderr.write(`foi: ${e.message}\n`);
    for (const d of e.details) process.stderr.write(`  ${d}\n`);
    if (debug && e.stack) process.stderr.write(e.stack + '\n');
    return e.exitCode;
  }
  const err = e as Error;
  process.stderr.write(`foi: ${err?.message ?? String(e)}${debug ? '' : ' (run with --debug for details)'}\n`);
  if (debug && err?.stack) process.stderr.write(err.stack + '\n');
  return 1;
}
