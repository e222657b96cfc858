/**
 * The grant criteria options `foi grants` and `foi export 360giving` share: one list, so help and
 * parsing are the same in both (criteria.ts turns them into a GrantQuery). Only commander here:
 * the command line loads this for every command.
 */
import type { Command } from 'commander';

export interface CriteriaOpts {
  fy: string[]; activeIn: string[]; theme: string[]; text?: string; recipient?: string; funder?: string; programme?: string;
  min?: string; max?: string; flag: string[]; includeSuperseded?: boolean; includeWithdrawn?: boolean; asAt?: string; classification?: string[];
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Adds the criteria options to a command (`foi grants`, `foi export 360giving`). */
export function addCriteriaOptions(cmd: Command): Command {
  return cmd
    .option('--fy <year>', 'money lines in (or overlapping) a financial year, e.g. 2017-18, or a range 2017-18..2019-20 (repeatable)', collect, [])
    .option('--active-in <year>', 'grants whose planned dates overlap a financial year ("running in", not "awarded in"; repeatable)', collect, [])
    .option('--theme <theme>', 'theme name, e.g. stalking (repeatable: all must match)', collect, [])
    .option('--text <words>', 'full-text search over title, description and outcomes')
    .option('--recipient <name>', 'recipient name (part) or org-id')
    .option('--funder <name>', 'funder name (part), org-id or funding stream')
    .option('--programme <name>', 'grant programme title (part) or code')
    .option('--min <amount>', 'minimum amount, e.g. 10000 or £10,000')
    .option('--max <amount>', 'maximum amount')
    .option('--flag <name=y|n>', 'eligibility flag, e.g. non-ex-intimate=y (repeatable)', collect, [])
    .option('--classification <code|title>', '360Giving classification code, or title (part) (repeatable: all must match)', collect, [])
    .option('--include-superseded', 'also show budgets replaced by a revision')
    .option('--include-withdrawn', 'also show grants withdrawn from their source (foi import --prune)')
    .option('--as-at <date>', 'read the register as it was at a date (end of that day, London) or time');
}

