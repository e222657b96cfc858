import type { Ctx } from '../../context.js';
import { UsageError } from '../../core/errors.js';
import { terminalText } from '../../core/control-chars.js';
import { showJson, showLines } from '../../log/show.js';
import { openLog } from './common.js';

export async function run(ctx: Ctx, args: unknown[], o: { explain?: boolean; redact?: boolean }): Promise<number> {
  const format = ctx.format();
  if (format !== 'table' && format !== 'json') throw new UsageError(`--format ${format}: foi log show writes table (text) or json`);
  const log = await openLog(ctx);
  const entry = log.get(String(args[0]));
  if (format === 'json') ctx.out(JSON.stringify(showJson(entry, { explain: !!o.explain, redact: !!o.redact }), null, 2) + '\n');
  // The log's words (a requester's name, the wording) are data: shown for the terminal, never as escapes.
  else ctx.out(showLines(entry, { explain: !!o.explain, redact: !!o.redact }).map(terminalText).join('\n') + '\n');
  return 0;
}
