/**
 * The `foi log` commands that record something that happened to a request: clarify, clarified,
 * fee, paid, extend, close, review, review-close, ico, ico-close, and void for a mistake. Each
 * parses its options, records one event, and says where the request's clock now stands.
 */
import type { Ctx } from '../../context.js';
import { todayInLondon } from '../../core/dates.js';
import { UsageError } from '../../core/errors.js';
import { parseMoney } from '../../core/money.js';
import { reviewSentence, statusSentence } from '../../log/explain.js';
import type { NewLogEvent } from '../../log/requests.js';
import {
  ICO_OUTCOME_LABELS, optionDate, requireChoice, requireOutcome, requireSections, REVIEW_OUTCOME_LABELS,
} from '../../log/values.js';
import { openLog, warn } from './common.js';

type Opts = Record<string, string | string[] | boolean | undefined>;

async function record(ctx: Ctx, args: unknown[], command: string, build: (regime: 'foi' | 'eir') => NewLogEvent): Promise<number> {
  const log = await openLog(ctx);
  const regime = log.get(String(args[0])).request.regime;
  const r = log.record(String(args[0]), build(regime), command);
  const h = r.entry.history.find((x) => x.event.id === r.eventId)!;
  const ref = r.entry.request.reference;
  ctx.out(`${ref} #${r.eventId}: ${h.summary}${r.supersedes ? ` (supersedes #${r.supersedes})` : ''}\n`);
  const c = r.entry.clock;
  ctx.out(`  ${c.review && (h.event.kind === 'review' || h.event.kind === 'review-close') ? reviewSentence(c.review) : statusSentence(c)}${c.due && !c.closed && c.flag !== 'overdue' ? `; due ${c.due}` : ''}\n`);
  warn(ctx, ref, r.warnings);
  return 0;
}

const str = (v: Opts[string]) => (typeof v === 'string' ? v : undefined);

export const clarify = (ctx: Ctx, args: unknown[], o: Opts) =>
  record(ctx, args, 'log clarify', () => ({ kind: 'clarify', date: optionDate('--asked', o.asked) }));

export const clarified = (ctx: Ctx, args: unknown[], o: Opts) =>
  record(ctx, args, 'log clarified', () => ({ kind: 'clarified', date: optionDate('--on', o.on) }));

export const fee = (ctx: Ctx, args: unknown[], o: Opts) =>
  record(ctx, args, 'log fee', () => {
    let amountPence: number | null = null;
    if (str(o.amount) !== undefined) {
      const m = parseMoney(str(o.amount));
      if (!m.ok) throw new UsageError(`--amount "${o.amount}": ${m.reason}`);
      amountPence = m.pence;
    }
    return { kind: 'fee', date: optionDate('--notice', o.notice), amountPence };
  });

export const paid = (ctx: Ctx, args: unknown[], o: Opts) =>
  record(ctx, args, 'log paid', () => ({ kind: 'paid', date: optionDate('--on', o.on) }));

export const extend = (ctx: Ctx, args: unknown[], o: Opts) => {
  if (!!o.pit === !!o.eirComplex) throw new UsageError('say which extension: --pit --until DATE --exemption SECTION (FOIA s.10(3)), or --eir-complex (EIR reg 7(1))');
  const notice = o.notice === undefined ? todayInLondon() : optionDate('--notice', o.notice);
  if (o.eirComplex) {
    if (o.until !== undefined || o.exemption !== undefined) throw new UsageError('--eir-complex takes no --until or --exemption: the new date is the 40th working day');
    return record(ctx, args, 'log extend', () => ({ kind: 'extend-eir', date: notice }));
  }
  const until = optionDate('--until', o.until);
  if (str(o.exemption) === undefined) throw new UsageError('--exemption is required with --pit: the qualified exemption whose public interest test needs the time, e.g. 43(2)');
  return record(ctx, args, 'log extend', () => ({ kind: 'extend-pit', date: notice, until, exemption: requireSections([str(o.exemption)!], 'foi')[0] }));
};

export const close = (ctx: Ctx, args: unknown[], o: Opts) =>
  record(ctx, args, 'log close', (regime) => ({
    kind: 'close', date: optionDate('--on', o.on), outcome: requireOutcome(str(o.outcome) ?? ''),
    exemptions: requireSections((o.exemption as string[] | undefined) ?? [], regime),
  }));

export const review = (ctx: Ctx, args: unknown[], o: Opts) =>
  record(ctx, args, 'log review', () => ({ kind: 'review', date: optionDate('--received', o.received), complex: !!o.complex }));

export const reviewClose = (ctx: Ctx, args: unknown[], o: Opts) =>
  record(ctx, args, 'log review-close', () => ({
    kind: 'review-close', date: optionDate('--on', o.on), outcome: requireChoice('--outcome', str(o.outcome) ?? '', REVIEW_OUTCOME_LABELS),
  }));

export const ico = (ctx: Ctx, args: unknown[], o: Opts) =>
  record(ctx, args, 'log ico', () => ({ kind: 'ico', date: optionDate('--received', o.received), caseRef: str(o.case)?.trim() || null }));

export const icoClose = (ctx: Ctx, args: unknown[], o: Opts) =>
  record(ctx, args, 'log ico-close', () => ({
    kind: 'ico-close', date: optionDate('--on', o.on), outcome: requireChoice('--outcome', str(o.outcome) ?? '', ICO_OUTCOME_LABELS),
  }));

export async function voidEvent(ctx: Ctx, args: unknown[], o: Opts): Promise<number> {
  const id = Number(String(o.event ?? '').replace(/^#/, ''));
  if (!Number.isInteger(id) || id < 1) throw new UsageError(`--event "${o.event}": expected an event number from foi log show, e.g. 7`);
  const log = await openLog(ctx);
  const entry = log.voidEvent(String(args[0]), id, str(o.reason)?.trim() || null, 'log void');
  ctx.out(`${entry.request.reference}: #${id} voided; ${statusSentence(entry.clock)}\n`);
  return 0;
}
