import { extname, resolve } from 'node:path';
import type { Ctx } from '../context.js';
import { UsageError } from '../core/errors.js';
import { formatMoney } from '../core/money.js';
import { criteriaQuery, type CriteriaOpts } from './criteria.js';

interface Opts extends CriteriaOpts {
  out: string;
  format?: string;
  includeNotes?: boolean;
  skipIncomplete?: boolean;
}

const BY_EXTENSION: Record<string, 'json' | 'csv' | 'xlsx'> = { '.json': 'json', '.csv': 'csv', '.xlsx': 'xlsx' };

export async function run(ctx: Ctx, args: unknown[], opts: Opts): Promise<number> {
  const standard = String(args[0]).toLowerCase();
  if (standard !== '360giving') throw new UsageError(`foi export "${String(args[0])}": the one export is 360giving (foi export 360giving --out FILE.json)`);
  const fromName = BY_EXTENSION[extname(opts.out).toLowerCase()];
  const format = (opts.format as 'json' | 'csv' | 'xlsx' | undefined) ?? fromName ?? 'json';
  if (opts.format && fromName && fromName !== opts.format) {
    throw new UsageError(`--format ${opts.format} but --out ${opts.out} is named as ${fromName}; name the file .${opts.format}, or leave --format out`);
  }
  const db = await ctx.openRegister('read', { asAt: opts.asAt });
  const q = criteriaQuery(db, opts);
  const { exportPackage } = await import('../export/package.js');
  const result = await exportPackage(db, q, resolve(opts.out), { format, includeNotes: opts.includeNotes, skipIncomplete: opts.skipIncomplete });
  const what = format === 'json' ? '360Giving package' : `360Giving flattened ${format.toUpperCase()}`;
  ctx.out(`wrote ${opts.out} (${what}): ${result.grants.toLocaleString('en-GB')} grant${result.grants === 1 ? '' : 's'}, amounts awarded ${formatMoney(result.totalPence)} (GBP), each checked against the 360Giving schema\n`);
  for (const m of result.skipped) ctx.err(`foi: left out ${m.grantId}: ${m.field}: ${m.reason}\n`);
  return 0;
}
