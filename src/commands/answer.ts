import { join, resolve } from 'node:path';
import type { Ctx } from '../context.js';
import { DataError, UsageError } from '../core/errors.js';
import { todayInLondon } from '../core/dates.js';
import { AtomicWriter } from '../core/atomic-write.js';
import { parseRequestFile, parseRequestText, type RequestSpec } from '../letters/request.js';

export interface AnswerFlags {
  out?: string;
  ref?: string;
  received?: string;
  responseDate?: string;
  requester?: string;
  fy: string[];
  theme: string[];
  text?: string;
  recipient?: string;
  funder?: string;
  programme?: string;
  flag: string[];
  columns?: string;
  wording?: string;
  outcome?: string;
  template?: string;
  templates?: string;
  body?: string;
  referenceDocx?: string;
  input?: boolean; // --no-input sets this false
  mdOnly?: boolean;
  strict?: boolean;
  asAt?: string;
}

/** Build a request from command-line flags; returns the missing facts when there are any. */
export function requestFromFlags(f: AnswerFlags): { request: RequestSpec | null; missing: string[] } {
  const missing: string[] = [];
  if (!f.ref) missing.push('--ref');
  if (!f.received) missing.push('--received');
  const hasCriteria = f.fy.length || f.theme.length || f.text || f.recipient || f.funder || f.programme || f.flag.length;
  if (!hasCriteria) missing.push('criteria (--fy, --theme, --text, …)');
  if (missing.length) return { request: null, missing };
  const flags: Record<string, string> = {};
  for (const spec of f.flag) {
    const m = /^([^=]+)=(.*)$/.exec(spec);
    if (!m) throw new UsageError(`--flag "${spec}": write it as NAME=y or NAME=n`);
    flags[m[1].trim()] = m[2].trim();
  }
  const obj = {
    reference: f.ref,
    requester: f.requester ?? null,
    received: f.received,
    responseDate: f.responseDate ?? null,
    template: f.template ?? null,
    questions: [{
      wording: f.wording ?? `Details of grants${f.theme.length ? ` (${f.theme.join(', ')})` : ''}${f.fy.length ? ` in ${f.fy.join(', ')}` : ''}.`,
      outcome: f.outcome ?? 'held',
      criteria: {
        fy: f.fy, theme: f.theme, text: f.text ?? null, recipient: f.recipient ?? null, funder: f.funder ?? null,
        programme: f.programme ?? null, flags: Object.keys(flags).length ? flags : null,
      },
      columns: f.columns ? f.columns.split(',').map((c) => c.trim()).filter(Boolean) : null,
    }],
  };
  // One validation path: flags go through the same parser as request files.
  return { request: parseRequestText(JSON.stringify(obj), 'command-line flags'), missing: [] };
}

export async function run(ctx: Ctx, args: unknown[], f: AnswerFlags): Promise<number> {
  const file = args[0] as string | undefined;
  let request: RequestSpec;
  let interactive = false;
  const db = await ctx.openRegister('read', { asAt: f.asAt });
  const today = todayInLondon();
  // The request log (issue 10): facts a request leaves out come from it, and so does the clock.
  const { applyLog, logFacts, recordLetter } = await import('../log/letters.js');
  const fromLog = logFacts(db, today);
  if (file) {
    request = parseRequestFile(file, fromLog);
  } else {
    const logged = f.ref ? fromLog(f.ref) : null;
    if (logged) f = { ...f, received: f.received ?? logged.received, wording: f.wording ?? logged.wording ?? undefined };
    const fromFlags = requestFromFlags(f);
    if (fromFlags.request) request = fromFlags.request;
    else if (f.input !== false && ctx.stdinIsTTY) {
      const { promptForRequest } = await import('./answer-prompts.js');
      request = await promptForRequest(db, f);
      interactive = true;
    } else {
      throw new UsageError(`missing ${fromFlags.missing.join(', ')}: give a request file (foi answer REQUEST.yaml) or these flags${ctx.stdinIsTTY ? '' : ' (not prompting: stdin is not a terminal)'}`);
    }
  }
  const joined = applyLog(db, request, today);
  request = joined.request;
  const { loadBodyFile, placeholderWarning } = await import('../letters/body-config.js');
  const { produceAnswer } = await import('../letters/answer.js');
  const bodyFile = loadBodyFile(f.body ?? null);
  const body = bodyFile.body;
  const placeholders = placeholderWarning(bodyFile);
  if (placeholders && f.strict) throw new DataError(placeholders);
  const outDir = resolve(f.out ?? '.');
  const outputs = await produceAnswer(db, request, {
    body, today, templatesDir: f.templates ?? null, template: f.template ?? null,
    referenceDocx: f.referenceDocx ?? null, markdownOnly: f.mdOnly, outDir, deadline: joined.deadline, requestFile: file ?? null,
  });
  if (interactive) {
    const { confirmWrite } = await import('./answer-prompts.js');
    if (!(await confirmWrite(outputs.markdown))) {
      ctx.err('Nothing written.\n');
      return 1;
    }
  }
  // One letter's files go in together: a failure leaves none of them half-updated.
  const writer = new AtomicWriter();
  const letter = writer.group();
  for (const o of outputs.files) await letter.write(join(outDir, o.name), o.data);
  await letter.close();
  await writer.finish();
  const v = outputs.view;
  // Warnings after the work: a request that fails says one thing, its error.
  if (placeholders) ctx.err(`foi: warning: ${placeholders}\n`);
  for (const w of joined.warnings) ctx.err(`foi: warning: ${w}\n`);
  if (outputs.dated === 'today') ctx.err(`foi: ${v.ref} is dated today, ${v.responseDate} (the request gives no responseDate); a later run keeps this date\n`);
  ctx.out(`${v.ref}: ${v.outcome.replace('_', ' ')}; due ${v.due}${v.late ? ' (late: the letter apologises)' : ''}; fingerprint ${outputs.evidence.fingerprint.slice(0, 12)}\n`);
  for (const o of outputs.files) ctx.out(`  wrote ${join(f.out ?? '.', o.name)}\n`);
  if (ctx.registerPath()) {
    const logged = recordLetter(db, outputs.view, { today, letter: `${outputs.baseName}.md` });
    if (logged.message) ctx.out(`  ${logged.message}\n`);
    for (const w of logged.warnings) ctx.err(`foi: warning: ${w}\n`);
  }
  return 0;
}
