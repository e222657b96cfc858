/**
 * Summarise a V8 .cpuprofile (node --cpu-prof): self and inclusive time by function and self
 * time by file, as shares of all samples. foi runs from an esbuild bundle, so positions in dist/
 * are mapped back through the bundle's source maps to the source file and line (src/x.ts:12,
 * nm/docx/dist/index.mjs:34); paths are shown relative to the repo.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from './paths.js';

interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export interface Hot { name: string; where: string; share: number; ms: number }
export interface ProfileSummary {
  totalMs: number;
  selfByFunction: Hot[];
  inclusiveByFunction: Hot[];
  selfByFile: Hot[];
}

function place(url: string): string {
  if (!url) return '(native)';
  let p = url.startsWith('file://') ? fileURLToPath(url) : url;
  if (p.startsWith('node:')) return p;
  p = relative(ROOT, p);
  return p.replace(/^node_modules\//, 'nm/');
}

interface Original { path: string; line: number; text: string }

const maps = new Map<string, { map: SourceMap; dir: string; sources: string[]; content: (string | null)[] } | null>();
/** Where a bundled position came from (absolute path, 0-based line, that line's text), if the bundle has a map. */
function original(url: string, line: number, column: number): Original | null {
  if (!url.startsWith('file://')) return null;
  const path = fileURLToPath(url);
  let m = maps.get(path);
  if (m === undefined) {
    try {
      const payload = JSON.parse(readFileSync(`${path}.map`, 'utf8'));
      m = { map: new SourceMap(payload), dir: dirname(path), sources: payload.sources, content: payload.sourcesContent ?? [] };
    } catch {
      m = null;
    }
    maps.set(path, m);
  }
  if (!m) return null;
  const e = m.map.findEntry(line, column) as { originalSource?: string; originalLine?: number };
  if (!e || e.originalSource === undefined || e.originalLine === undefined) return null;
  const src = e.originalSource.startsWith('file://') ? fileURLToPath(e.originalSource) : resolve(m.dir, e.originalSource);
  const i = m.sources.findIndex((s) => resolve(m!.dir, s) === src);
  const text = (i >= 0 ? m.content[i] ?? '' : '').split('\n')[e.originalLine] ?? '';
  return { path: src, line: e.originalLine, text };
}

const sourceLines = new Map<string, string[]>();
/** The trimmed start of a compiled line, to recognise an anonymous function. */
function snippet(url: string, line: number, mapped: Original | null): string {
  let text = mapped?.text ?? '';
  if (!mapped && url.startsWith('file://')) {
    const path = fileURLToPath(url);
    let lines = sourceLines.get(path);
    if (!lines) {
      try {
        lines = readFileSync(path, 'utf8').split('\n');
      } catch {
        lines = [];
      }
      sourceLines.set(path, lines);
    }
    text = lines[line] ?? '';
  }
  text = text.trim();
  return text ? ` \`${text.length > 60 ? text.slice(0, 57) + '...' : text}\`` : '';
}

export function latestProfile(dir: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  if (!files.length) throw new Error(`no .cpuprofile in ${dir}`);
  return join(dir, files[files.length - 1]);
}

export function summariseProfile(file: string, top = 12): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) byId.set(n.id, n);
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyCache = new Map<number, { key: string; name: string; where: string; file: string }>();
  const keyOf = (n: ProfileNode) => {
    let k = keyCache.get(n.id);
    if (!k) keyCache.set(n.id, (k = makeKey(n)));
    return k;
  };
  const makeKey = (n: ProfileNode) => {
    const f = n.callFrame;
    const mapped = original(f.url, f.lineNumber, f.columnNumber);
    const where = mapped ? place(`file://${mapped.path}`) : place(f.url);
    const line = mapped ? mapped.line : f.lineNumber;
    const anon = !f.functionName;
    const name = anon ? `(anonymous)${snippet(f.url, f.lineNumber, mapped)}` : f.functionName;
    return { key: `${name}\u0000${where}${f.url ? `:${line + 1}` : ''}`, name, where, file: where };
  };
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  const fileSelf = new Map<string, number>();
  const stackKeys = new Map<number, string[]>();
  const stackOf = (id: number): string[] => {
    let s = stackKeys.get(id);
    if (s) return s;
    const keys = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) keys.add(keyOf(byId.get(cur)!).key);
    s = [...keys];
    stackKeys.set(id, s);
    return s;
  };
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = (p.timeDeltas[i + 1] ?? p.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(p.samples[i])!;
    const k = keyOf(node);
    total += dt;
    self.set(k.key, (self.get(k.key) ?? 0) + dt);
    const fileKey = node.callFrame.url ? k.file : `(native) ${k.name}`;
    fileSelf.set(fileKey, (fileSelf.get(fileKey) ?? 0) + dt);
    if (k.name === '(idle)' || k.name === '(program)' || k.name === '(garbage collector)') continue;
    for (const s of stackOf(node.id)) incl.set(s, (incl.get(s) ?? 0) + dt);
  }
  const list = (m: Map<string, number>, split: boolean): Hot[] =>
    [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, top).map(([k, ms]) => {
      const [name, where] = split ? k.split('\u0000') : [k, ''];
      return { name, where, ms, share: total ? ms / total : 0 };
    });
  const roots = new Set(['(root)']);
  const inclFiltered = new Map([...incl].filter(([k]) => !roots.has(k.split('\u0000')[0])));
  return {
    totalMs: total,
    selfByFunction: list(self, true),
    inclusiveByFunction: list(inclFiltered, true),
    selfByFile: list(fileSelf, false),
  };
}

export function formatSummary(s: ProfileSummary): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(6);
  const lines: string[] = [`profile: ${(s.totalMs / 1000).toFixed(2)} s sampled`];
  lines.push('self time by function:');
  for (const h of s.selfByFunction) lines.push(`  ${pct(h.share)}  ${h.name}  ${h.where}`);
  lines.push('inclusive time by function:');
  for (const h of s.inclusiveByFunction) lines.push(`  ${pct(h.share)}  ${h.name}  ${h.where}`);
  lines.push('self time by file:');
  for (const h of s.selfByFile) lines.push(`  ${pct(h.share)}  ${h.name}`);
  return lines.join('\n');
}

/** Markdown: the top self-time functions and the top inclusive ones from src/. */
export function formatHotTable(s: ProfileSummary, n: number): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const rows = s.selfByFunction.slice(0, n).map((h) => [pct(h.share), 'self', h.name, `\`${h.where}\``]);
  const own = s.inclusiveByFunction.filter((h) => (h.where.startsWith('src/') || h.where.startsWith('dist/src/')) && h.share >= 0.02).slice(0, n);
  rows.push(...own.map((h) => [pct(h.share), 'inclusive', h.name, `\`${h.where}\``]));
  const head = '| Share | Kind | Function | Where (source file:line) |\n|---|---|---|---|\n';
  return head + rows.map((r) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`).join('\n');
}
