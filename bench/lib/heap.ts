/**
 * What keeps large strings alive after an import: write a V8 heap snapshot, find every string of
 * at least `minBytes` (file chunks are about 1-2 MB each) and follow retainers up to the first
 * named variable or property, e.g. "variable `dateMemo` in dist/src/import/giving360.js → Map → array →
 * sliced string → string".
 * Sliced strings (s.slice() of a big string) keep their whole parent alive; this finds who
 * holds the slices.
 */
import { readFileSync, rmSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';

export interface Retention {
  /** How the big strings are reached, shortest named path first. */
  via: string;
  strings: number;
  bytes: number;
}

export interface HeapReport {
  bigStrings: number;
  bigStringBytes: number;
  retentions: Retention[];
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export function bigStringRetainers(file: string, minBytes = 256 * 1024): HeapReport {
  const path = writeHeapSnapshot(file);
  const snap = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  rmSync(path, { force: true });
  const m = snap.snapshot.meta;
  const nf = m.node_fields.length;
  const ef = m.edge_fields.length;
  const [T, N, S, EC] = ['type', 'name', 'self_size', 'edge_count'].map((f) => m.node_fields.indexOf(f));
  const [ET, EN, ETO] = ['type', 'name_or_index', 'to_node'].map((f) => m.edge_fields.indexOf(f));
  const ntypes = m.node_types[0];
  const etypes = m.edge_types[0];
  const rev = new Map<number, { from: number; type: string; name: string }[]>();
  for (let i = 0, e = 0; i < snap.nodes.length; i += nf) {
    for (let k = snap.nodes[i + EC]; k > 0; k--, e += ef) {
      const type = etypes[snap.edges[e + ET]];
      if (type === 'weak') continue;
      const raw = snap.edges[e + EN];
      const name = type === 'element' || type === 'hidden' ? String(raw) : snap.strings[raw];
      const to = snap.edges[e + ETO];
      let list = rev.get(to);
      if (!list) rev.set(to, (list = []));
      list.push({ from: i, type, name });
    }
  }
  const nodeType = (i: number) => ntypes[snap.nodes[i + T]];
  const nodeName = (i: number) => snap.strings[snap.nodes[i + N]];
  const firstEdge = new Map<number, number>();
  for (let i = 0, e = 0; i < snap.nodes.length; i += nf) {
    firstEdge.set(i, e);
    e += snap.nodes[i + EC] * ef;
  }
  const edgesOf = (i: number) => {
    const out: { type: string; name: string; to: number }[] = [];
    const e0 = firstEdge.get(i) ?? 0;
    for (let k = 0; k < snap.nodes[i + EC]; k++) {
      const e = e0 + k * ef;
      const type = etypes[snap.edges[e + ET]];
      const raw = snap.edges[e + EN];
      out.push({ type, name: type === 'element' || type === 'hidden' ? String(raw) : snap.strings[raw], to: snap.edges[e + ETO] });
    }
    return out;
  };
  /** The script (module file) of a closure sharing this context: closure -> shared -> script -> name. */
  const scriptOf = (ctx: number): string | null => {
    for (const r of rev.get(ctx) ?? []) {
      if (r.name !== 'context' || nodeType(r.from) !== 'closure') continue;
      const shared = edgesOf(r.from).find((e) => e.name === 'shared')?.to;
      const script = shared !== undefined ? edgesOf(shared).find((e) => e.name === 'script')?.to : undefined;
      const name = script !== undefined ? edgesOf(script).find((e) => e.name === 'name')?.to : undefined;
      if (name !== undefined && nodeName(name)) return nodeName(name).replace(/^file:\/\//, '').replace(/^.*?\/(dist\/)/, '$1');
    }
    return null;
  };
  const label = (i: number) => (nodeType(i) === 'object' && nodeName(i) ? nodeName(i) : nodeType(i));
  const describe = (start: number): string => {
    // Breadth-first up the retainers to the nearest named holder; the chain reads holder -> ... -> big string.
    const seen = new Set<number>([start]);
    let frontier = [{ node: start, path: [label(start)] }];
    for (let depth = 0; depth < 8 && frontier.length; depth++) {
      const next: typeof frontier = [];
      for (const f of frontier) {
        for (const r of rev.get(f.node) ?? []) {
          if (seen.has(r.from)) continue;
          seen.add(r.from);
          const chain = [...f.path].reverse().join(' → ');
          if (r.type === 'context') {
            const script = scriptOf(r.from);
            return `variable \`${r.name}\`${script ? ` in ${script}` : ''} → ${chain}`;
          }
          if (r.type === 'property' && !r.name.startsWith('<symbol')) return `property \`${r.name}\` of ${label(r.from)} → ${chain}`;
          next.push({ node: r.from, path: [...f.path, label(r.from)] });
        }
      }
      frontier = next;
    }
    return 'no named retainer within 8 steps';
  };
  const by = new Map<string, Retention>();
  let count = 0;
  let bytes = 0;
  for (let i = 0; i < snap.nodes.length; i += nf) {
    const t = nodeType(i);
    if ((t !== 'string' && t !== 'concatenated string') || snap.nodes[i + S] < minBytes) continue;
    count++;
    bytes += snap.nodes[i + S];
    const via = describe(i);
    const r = by.get(via) ?? { via, strings: 0, bytes: 0 };
    r.strings++;
    r.bytes += snap.nodes[i + S];
    by.set(via, r);
  }
  return { bigStrings: count, bigStringBytes: bytes, retentions: [...by.values()].sort((a, b) => b.bytes - a.bytes) };
}
