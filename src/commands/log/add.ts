import { readFileSync } from 'node:fs';
import type { Ctx } from '../../context.js';
import { UsageError } from '../../core/errors.js';
import { statusSentence } from '../../log/explain.js';
import { cleanReference, optionDate, requireEmail, requireRegime } from '../../log/values.js';
import type { RequestChanges } from '../../log/store.js';
import { openLog } from './common.js';

export interface RequestFlags {
  received?: string;
  requester?: string;
  email?: string;
  address?: string[];
  wording?: string;
  wordingFile?: string;
  regime?: string;
}

/** The request's facts from flags; only those given (for foi log edit). */
export function requestFacts(f: RequestFlags): RequestChanges {
  if (f.wording !== undefined && f.wordingFile !== undefined) throw new UsageError('give the wording with --wording or --wording-file, not both');
  const out: RequestChanges = {};
  if (f.received !== undefined) out.received = optionDate('--received', f.received);
  if (f.regime !== undefined) out.regime = requireRegime(f.regime);
  if (f.requester !== undefined) out.requesterName = f.requester.trim() || null;
  if (f.email !== undefined) out.requesterEmail = f.email.trim() ? requireEmail(f.email) : null;
  if (f.address !== undefined && f.address.length) out.requesterAddress = f.address.map((l) => l.trim()).filter(Boolean);
  if (f.wording !== undefined) out.wording = f.wording.trim() || null;
  if (f.wordingFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(f.wordingFile, 'utf8');
    } catch (e) {
      throw new UsageError(`--wording-file ${f.wordingFile}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
    out.wording = text.trim() || null;
  }
  return out;
}

export async function run(ctx: Ctx, args: unknown[], f: RequestFlags): Promise<number> {
  const reference = cleanReference(String(args[0]));
  const facts = requestFacts(f);
  if (!facts.received) throw new UsageError('--received is required (the date the request was received, e.g. 2023-07-25)');
  const log = await openLog(ctx, true);
  const entry = log.add({
    reference, regime: facts.regime ?? 'foi', received: facts.received, requesterName: facts.requesterName ?? null,
    requesterEmail: facts.requesterEmail ?? null, requesterAddress: facts.requesterAddress ?? [], wording: facts.wording ?? null,
  }, 'log add');
  const c = entry.clock;
  ctx.out(`${entry.request.reference}: logged, received ${c.received}${c.due ? `, due ${c.due}` : ''}; ${statusSentence(c)}\n`);
  return 0;
}
