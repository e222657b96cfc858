/**
 * What every 360Giving record goes through after mapping, whatever file it came from: duplicate
 * ids within the file (an error on the second, naming the first), a file that mixes currencies
 * (a notice, once), and the record's issues, notes and grant as import items in order.
 */
import type { GrantInput, ImportItem } from '../../register/types.js';
import type { Ctx } from './context.js';
import { IdIndex } from './id-index.js';

export class RecordSink {
  private readonly firstSeen = new IdIndex();
  private firstCurrency: { code: string; location: string } | null = null;
  private mixedWarned = false;

  /** `where(n)` names record `n` in messages (`grants[3]`, `row 12`). */
  constructor(private readonly where: (n: number) => string) {}

  finish(out: ImportItem[], grant: GrantInput | null, id: string | null, cx: Ctx, n: number): void {
    if (id !== null) {
      const prev = this.firstSeen.add(id, n);
      if (prev !== -1) {
        cx.error('id', `duplicate grant id: the same id is already used at ${this.where(prev)} in this file; each grant needs its own id`, id);
        grant = null;
      }
    }
    if (grant) {
      const first = this.firstCurrency;
      if (!first) this.firstCurrency = { code: grant.currency, location: cx.location };
      else if (grant.currency !== first.code && !this.mixedWarned) {
        this.mixedWarned = true;
        cx.warn('currency', `this file mixes currencies (${first.code} at ${first.location}, ${grant.currency} here); amounts in different currencies must not be added together`, grant.currency);
      }
    }
    if (cx.issues) for (const issue of cx.issues) out.push({ kind: 'issue', issue });
    if (cx.notes) for (const note of cx.notes) out.push({ kind: 'normalised', note });
    if (grant) out.push({ kind: 'grant', grant, location: cx.location });
  }
}
