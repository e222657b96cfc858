import type { Ctx } from '../context.js';
import { UsageError } from '../core/errors.js';
import { terminalText } from '../core/control-chars.js';
import { formatIssue } from '../register/types.js';

/** Change lines printed at most (every one is in --format json). */
const CHANGE_LINES = 20;

export async function run(ctx: Ctx, args: unknown[], opts: { dryRun?: boolean; maxErrors?: string; report?: string; encoding?: string; prune?: boolean; format?: string }): Promise<number> {
  const files = args[0] as string[];
  const maxErrors = Number(opts.maxErrors ?? 50);
  if (!Number.isInteger(maxErrors) || maxErrors < 1) throw new UsageError(`--max-errors "${opts.maxErrors}": expected a whole number of 1 or more`);
  const db = await ctx.openRegister('write');
  const { importFiles } = await import('../import/run-import.js');
  // A progress bar on a terminal only: nothing on a pipe, a file or in CI.
  const bar = ctx.stderrIsTTY ? (await import('../output/progress-bar.js')).importProgressBar(process.stderr, 'import') : null;
  // At a terminal, say why nothing seems to happen while another import holds the register.
  const onWait = ctx.stderrIsTTY ? () => ctx.err('waiting for another import to finish…\n') : undefined;
  let result;
  try {
    result = await importFiles(db, files, { maxErrors, onProgress: bar ? (b, t, r) => bar.update(b, t, r) : undefined, onPhase: bar ? (text) => bar.phase(text) : undefined, dryRun: opts.dryRun, onWait, report: opts.report, encoding: opts.encoding, prune: opts.prune });
  } finally {
    bar?.stop();
  }
  if (opts.format === 'json') {
    ctx.out(JSON.stringify({ ...result, dryRun: !!opts.dryRun }, null, 2) + '\n');
    return 0;
  }
  // Report lines carry data (ids, names, titles): shown for the terminal, never as escapes.
  const say = (line: string) => ctx.out(`${terminalText(line)}\n`);
  const warn = (line: string) => ctx.err(`${terminalText(line)}\n`);
  const { describeChange } = await import('../register/history.js');
  const { formatMoney } = await import('../core/money.js');
  const money = (p: number) => formatMoney(p);
  let shown = 0;
  let hidden = 0;
  for (const f of result.files) {
    const what = f.inserted + f.updated === 0 && f.grants > 0 ? 'nothing changed' : `${f.inserted.toLocaleString('en-GB')} added, ${f.updated.toLocaleString('en-GB')} changed`;
    say(`${f.file} (${f.format}): ${f.grants.toLocaleString('en-GB')} grant${f.grants === 1 ? '' : 's'}; ${what}, ${f.unchanged.toLocaleString('en-GB')} unchanged`);
    // What changed, by grant: 360G-LBFEW-109588 amount £60,000 → £65,000
    for (const c of f.changes.filter((x) => x.action !== 'withdrawn')) {
      if (shown >= CHANGE_LINES) { hidden++; continue; }
      shown++;
      say(`  ${c.grantId}${c.action === 'restored' ? ' (back in the source)' : ''} ${c.fields.map((x) => describeChange(x, money)).join('; ')}`);
    }
    if (f.notInSource.length) {
      const ids = f.notInSource.slice(0, 10).map((g) => g.id).join(', ') + (f.notInSource.length > 10 ? `, … (${f.notInSource.length - 10} more)` : '');
      say(f.withdrawn
        ? `  no longer in the source: ${f.notInSource.length} grant${f.notInSource.length === 1 ? '' : 's'} marked withdrawn (kept, with ${f.notInSource.length === 1 ? 'its' : 'their'} history): ${ids}`
        : `  no longer in the source: ${f.notInSource.length} grant${f.notInSource.length === 1 ? '' : 's'} the register holds for this file's funders: ${ids}; foi import --prune marks them withdrawn`);
    }
  }
  if (hidden) say(`  … and ${hidden} more changed grant${hidden === 1 ? '' : 's'} (--format json lists them all)`);
  for (const n of result.normalised) {
    say(`normalised ${n.count.toLocaleString('en-GB')} value${n.count === 1 ? '' : 's'} in ${n.column}, e.g. ${n.example.location}: ${JSON.stringify(n.example.from)} -> ${JSON.stringify(n.example.to)}`);
  }
  if (result.warningCount) {
    // Alike warnings once each, with how many there are: a file with 4,116 "Y" flags says so in one line.
    const n = result.warningCount;
    warn(`${n.toLocaleString('en-GB')} warning${n === 1 ? '' : 's'} (imported anyway; the register keeps every value as published)${opts.report ? '' : '; --report FILE.json lists every one'}:`);
    for (const g of result.warnings.slice(0, 20)) {
      const more = g.count > 1 ? ` [and ${(g.count - 1).toLocaleString('en-GB')} more like it]` : '';
      warn(`  ${g.kind === 'schema' ? 'schema' : 'notice'}: ${formatIssue(g.example)}${more}`);
    }
    if (result.warnings.length > 20) warn(`  … and ${result.warnings.length - 20} more kinds of warning`);
  }
  if (opts.report) say(`report: ${opts.report}`);
  if (opts.dryRun) say('dry run: nothing was written');
  else if (result.inserted + result.updated === 0 && !result.files.some((f) => f.withdrawn)) say('The register is unchanged.');
  return 0;
}
