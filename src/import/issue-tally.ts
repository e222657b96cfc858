/**
 * Warnings and normalised values of an import, counted: alike warnings (same kind, column and
 * message but for the values in it) are one group with the first as example, and normalised
 * values one entry per column. A reading thread keeps its own tally and hands it over at the end
 * of the file (`data()`, then `merge` in the writing thread), so a million "Y" flags never cross
 * threads one by one.
 */
import type { Issue, Normalisation } from '../register/types.js';

/** Warnings alike, counted, with the first as example. */
export interface WarningGroup {
  kind: 'schema' | 'quality';
  count: number;
  example: Issue;
}

export interface NormalisedGroup {
  column: string;
  count: number;
  example: Normalisation;
}

/** A tally as plain data (it crosses threads). */
export interface TallyData {
  warningCount: number;
  groups: [key: string, group: WarningGroup][];
  normalised: NormalisedGroup[];
}

/** What makes two warnings alike: kind, column (item numbers dropped) and message (values in it dropped). */
function warningKey(i: Issue): string {
  const column = (i.column ?? '').replace(/\[\d+\]|:\d+:/g, (m) => (m.startsWith('[') ? '[]' : ':'));
  const message = i.message.replace(/"[^"]*"/g, '"…"').replace(/\d+/g, 'N');
  return `${i.kind ?? 'quality'}\u0000${column}\u0000${message}`;
}

export class IssueTally {
  warningCount = 0;
  private readonly groups = new Map<string, WarningGroup>();
  /** Groups by exact column and message first (cheaper than warningKey's regular expressions), bounded. */
  private readonly exact = new Map<string, WarningGroup>();
  private readonly norm = new Map<string, NormalisedGroup>();

  warning(i: Issue): void {
    this.warningCount++;
    const exact = `${i.kind}\u0000${i.column}\u0000${i.message}`;
    let g = this.exact.get(exact);
    if (!g) {
      const key = warningKey(i);
      g = this.groups.get(key);
      if (!g) this.groups.set(key, (g = { kind: i.kind ?? 'quality', count: 0, example: i }));
      if (this.exact.size < 10_000) this.exact.set(exact, g);
    }
    g.count++;
  }

  note(n: Normalisation): void {
    const entry = this.norm.get(n.column);
    if (entry) entry.count++;
    else this.norm.set(n.column, { column: n.column, count: 1, example: n });
  }

  /** Adds another tally's counts (a later file's, or the same file's from its reading thread). */
  merge(d: TallyData): void {
    this.warningCount += d.warningCount;
    for (const [key, g] of d.groups) {
      const mine = this.groups.get(key);
      if (mine) mine.count += g.count;
      else this.groups.set(key, { ...g });
    }
    for (const n of d.normalised) {
      const mine = this.norm.get(n.column);
      if (mine) mine.count += n.count;
      else this.norm.set(n.column, { ...n });
    }
  }

  data(): TallyData {
    return { warningCount: this.warningCount, groups: [...this.groups], normalised: [...this.norm.values()] };
  }

  /** Schema warnings first, then quality notices; each in the order first met. */
  warnings(): WarningGroup[] {
    return [...this.groups.values()].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'schema' ? -1 : 1));
  }

  normalised(): NormalisedGroup[] {
    return [...this.norm.values()];
  }
}
