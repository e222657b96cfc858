/**
 * `foi batch`: answer every request file under a folder in one process, writing only outputs whose
 * bytes changed. Each request's files are produced in memory first, so a failing request leaves
 * no partial file; the others still complete.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import type { Db } from '../db/open.js';
import { writeFileAtomic, writeStatus, type WriteStatus } from '../core/atomic-write.js';
import { parseRequestFile } from './request.js';
import { produceAnswer, type AnswerOptions } from './answer.js';

export type RequestStatus = 'created' | 'changed' | 'unchanged' | 'failed';

export interface BatchItem {
  file: string;
  reference: string | null;
  status: RequestStatus;
  error: string | null;
  outputs: { path: string; status: WriteStatus }[];
}

export interface BatchResult {
  items: BatchItem[];
  counts: Record<RequestStatus, number>;
}

export function findRequestFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (/\.ya?ml$/i.test(name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

export async function runBatch(
  db: Db, inDir: string, outDir: string, opts: AnswerOptions & { check?: boolean; onProgress?: (done: number, total: number, file: string) => void },
): Promise<BatchResult> {
  const files = findRequestFiles(inDir);
  const items: BatchItem[] = [];
  const claimed = new Map<string, string>();
  for (const [i, file] of files.entries()) {
    const rel = relative(inDir, file);
    const item: BatchItem = { file: rel, reference: null, status: 'unchanged', error: null, outputs: [] };
    items.push(item);
    try {
      const req = parseRequestFile(file);
      item.reference = req.reference;
      const answer = await produceAnswer(db, req, opts);
      const target = join(outDir, dirname(rel));
      const planned = answer.files.map((f) => ({ path: join(target, f.name), data: f.data }));
      for (const p of planned) {
        const other = claimed.get(p.path);
        if (other) throw new Error(`writes ${relative(outDir, p.path)}, which ${other} also writes (two requests with reference "${req.reference}" in one folder)`);
      }
      for (const p of planned) claimed.set(p.path, rel);
      item.outputs = planned.map((p) => ({ path: relative(outDir, p.path), status: writeStatus(p.path, p.data) }));
      if (!opts.check) {
        for (const [j, p] of planned.entries()) if (item.outputs[j].status !== 'unchanged') writeFileAtomic(p.path, p.data);
      }
      const statuses = item.outputs.map((o) => o.status);
      item.status = statuses.every((s) => s === 'unchanged') ? 'unchanged' : statuses.every((s) => s === 'created') ? 'created' : 'changed';
    } catch (e) {
      item.status = 'failed';
      item.error = (e as Error).message;
      item.outputs = [];
    }
    opts.onProgress?.(i + 1, files.length, rel);
  }
  const counts: Record<RequestStatus, number> = { created: 0, changed: 0, unchanged: 0, failed: 0 };
  for (const it of items) counts[it.status]++;
  return { items, counts };
}
