/**
 * `foi log …` and `foi stats`, registered on the program like every other command: options here,
 * each command's module imported only when it runs.
 */
import { Command, Option } from 'commander';
import type { Ctx } from '../../context.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Action = (ctx: Ctx, args: unknown[], opts: any) => Promise<number | void>;

export interface Wiring {
  lazy: (load: () => Promise<{ run: Action }>) => (...all: unknown[]) => Promise<void>;
  formatOption: () => Option;
  collect: (value: string, previous?: string[]) => string[];
}

export function addLogCommands(program: Command, { lazy, formatOption, collect }: Wiring): void {
  const events = (name: keyof typeof import('./events.js')) => lazy(() => import('./events.js').then((m) => ({ run: m[name] as Action })));
  const regime = () => new Option('--regime <regime>', 'foi (Freedom of Information Act) or eir (Environmental Information Regulations)').choices(['foi', 'eir']);
  const outcome = new Option('--outcome <outcome>', 'how it was answered or closed').choices(['granted', 'partly', 'withheld', 'not-held', 'cost', 'vexatious', 'withdrawn', 'lapsed']).makeOptionMandatory();

  const log = program
    .command('log')
    .description('the request log: every request, its statutory clock, reviews and complaints (in the --db register)');

  log
    .command('add')
    .description('log a request as received')
    .argument('<ref>', 'our reference, e.g. "FOI 556"')
    .requiredOption('--received <date>', 'date received, e.g. 2023-07-25 or 25/07/2023')
    .option('--requester <name>', "requester's name (personal data)")
    .option('--email <address>', "requester's e-mail (personal data)")
    .option('--address <line>', 'a line of the postal address (repeatable; personal data)', collect, [])
    .option('--wording <text>', "the request in the requester's words")
    .option('--wording-file <file>', 'read the wording from a file')
    .addOption(regime().default('foi'))
    .action(lazy(() => import('./add.js')));

  log
    .command('edit')
    .description("correct a request's facts (the history records what changed)")
    .argument('<ref>', 'our reference')
    .option('--received <date>', 'date received')
    .option('--requester <name>', "requester's name")
    .option('--email <address>', "requester's e-mail")
    .option('--address <line>', 'postal address line (repeatable; replaces the address)', collect, [])
    .option('--clear-address', 'remove the postal address')
    .option('--wording <text>', 'the wording')
    .option('--wording-file <file>', 'read the wording from a file')
    .addOption(regime())
    .action(lazy(() => import('./edit.js')));

  log
    .command('import')
    .description('import a request log kept in a spreadsheet (CSV), all or nothing')
    .argument('<file>', 'CSV with Reference, Received, Requester, Status, Responded, Outcome, Exemptions')
    .option('--dry-run', 'check and report, write nothing')
    .option('--max-errors <n>', 'errors to list', '50')
    .action(lazy(() => import('./import.js')));

  log
    .command('list')
    .description('the queue: every request with its due date and working days left, sorted by due date')
    .option('--open', 'only requests not yet answered, and open internal reviews')
    .option('--overdue', 'only overdue requests and reviews')
    .option('--due-before <date>', 'only open requests and reviews due on or before this date')
    .option('--redact', 'leave out personal data (requester, e-mail, address)')
    .addOption(formatOption())
    .action(lazy(() => import('./list.js')));

  log
    .command('show')
    .description('one request: facts, clock, review, history')
    .argument('<ref>', 'our reference')
    .option('--explain', 'list every day counted, skipped, disregarded or restarted, and why')
    .option('--redact', 'leave out personal data and the wording')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(lazy(() => import('./show.js')));

  /** A command recording one event on a request: `foi log NAME REF --DATE-OPTION DATE …`. */
  const event = (name: string, description: string, dateOption: string, dateHelp: string) =>
    log.command(name).description(description).argument('<ref>', 'our reference').requiredOption(dateOption, dateHelp);

  event('clarify', 'clarification asked for (s.1(3)): the clock stops', '--asked <date>', 'when clarification was asked for')
    .action(events('clarify'));
  event('clarified', 'clarification received: the 20 working days start again', '--on <date>', 'when the clarification arrived')
    .action(events('clarified'));
  event('fee', 'fees notice given (s.9): days until payment are disregarded (s.10(2))', '--notice <date>', 'when the fees notice was given')
    .option('--amount <amount>', 'the fee, e.g. £25.00')
    .action(events('fee'));
  event('paid', 'fee received: the clock runs again from the next working day', '--on <date>', 'when the fee was received')
    .action(events('paid'));
  log.command('extend').description('extend the time: --pit (FOIA s.10(3) public interest) or --eir-complex (EIR reg 7(1), 40 working days)')
    .argument('<ref>', 'our reference')
    .option('--pit', 'public interest extension: give --until and --exemption')
    .option('--until <date>', 'the new date set in the s.17 notice')
    .option('--exemption <section>', 'the qualified exemption being considered, e.g. 43(2)')
    .option('--eir-complex', 'EIR: complex and voluminous, 40 working days')
    .option('--notice <date>', 'when the applicant was told (default: today)')
    .action(events('extend'));
  event('close', 'the request answered or closed (re-run to correct: the new record supersedes)', '--on <date>', 'date of the response')
    .addOption(outcome)
    .option('--exemption <section>', 'exemption (FOI) or exception (EIR) relied on, e.g. 40(2) (repeatable)', collect, [])
    .action(events('close'));
  event('review', 'internal review asked for: due in 20 working days (40 if --complex; EIR 40)', '--received <date>', 'when the review request arrived')
    .option('--complex', 'a complex review (40 working days, s.45 Code of Practice)')
    .action(events('review'));
  event('review-close', 'internal review decided', '--on <date>', 'date of the review decision')
    .addOption(new Option('--outcome <outcome>', 'the decision').choices(['upheld', 'partly', 'overturned']).makeOptionMandatory())
    .action(events('reviewClose'));
  event('ico', 'complaint to the Information Commissioner (s.50) received', '--received <date>', 'when the ICO told us of it')
    .option('--case <ref>', "the ICO's case reference")
    .action(events('ico'));
  event('ico-close', "the ICO's decision on the complaint", '--on <date>', 'date of the decision notice or closure')
    .addOption(new Option('--outcome <outcome>', 'the decision').choices(['upheld', 'partly', 'not-upheld', 'withdrawn']).makeOptionMandatory())
    .action(events('icoClose'));
  event('void', 'mark a wrongly recorded event as void (it stays in the history)', '--event <n>', 'the event number shown by foi log show (#7)')
    .option('--reason <text>', 'why')
    .action(events('voidEvent'));

  log
    .command('purge')
    .description('remove personal data from requests closed before a date (keeps reference, dates, outcome, history)')
    .requiredOption('--closed-before <date>', 'requests closed before this date')
    .option('--wording', "also remove the request's wording")
    .option('--dry-run', 'list what would be removed, write nothing')
    .action(lazy(() => import('./purge.js')));

  program
    .command('stats')
    .description('FOI statistics for a period, in the Cabinet Office categories (FOI and EIR separately)')
    .option('--quarter <quarter>', 'a calendar quarter, e.g. 2026-Q3 (July to September)')
    .option('--from <date>', 'first day of the period')
    .option('--to <date>', 'last day of the period')
    .option('--as-of <date>', 'count the log as it stood on this date (default: today)')
    .addOption(formatOption())
    .action(lazy(() => import('../stats.js')));
}
