/**
 * `foi batch`: answer every request file under a folder in one process, writing only outputs whose
 * bytes changed. Each request's files are produced in memory first and written all or none (as
 * `foi answer` writes them), so a failing request, or one whose files cannot be put in place,
 * leaves its old files as they were; the others still complete.
 */
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { join, relative, dirname } from 'node:path';
import type { Db } from '../db/open.js';
import { AtomicWriter, removeStaleTempFiles, writeStatus, type WriteStatus } from '../core/atomic-write.js';
import { loggedRequestFile } from '../log/letters.js';
import { produceAnswer, type AnswerOptions, type FigureChange } from './answer.js';
import type { WorkerInit, WorkerReply } from './batch-worker.js';

export type RequestStatus = 'created' | 'changed' | 'unchanged' | 'failed';

export interface BatchItem {
  file: string;
  reference: string | null;
  status: RequestStatus;
  error: string | null;
  outputs: { path: string; status: WriteStatus }[];
  /** Figures that differ from the letter's earlier answer record. */
  figureChanges: FigureChange[];
  /** What the request log says against the request file (a fact that differs, a clock on hold). */
  warnings: string[];
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

export interface BatchOptions extends AnswerOptions {
  check?: boolean;
  onProgress?: (done: number, total: number, file: string) => void;
  /** Worker threads answering requests in parallel (default: one per core, at most 4, for 50 or more requests); 1 = in this thread. */
  jobs?: number;
  /** The register file the workers open (null: the embedded register). */
  registerPath?: string | null;
}

type Produced =
  | { ok: true; reference: string; files: { name: string; data: string | Uint8Array }[]; changes: FigureChange[]; warnings: string[] }
  | { ok: false; reference: string | null; error: string };

export async function runBatch(db: Db, inDir: string, outDir: string, opts: BatchOptions): Promise<BatchResult> {
  const files = findRequestFiles(inDir);
  // A batch that was killed may have left temp files beside its outputs: they are never letters.
  if (!opts.check) removeStaleTempFiles(outDir);
  // Starting a worker costs about as much as twenty letters, so small batches stay in this thread.
  const auto = files.length >= 50 ? Math.min(availableParallelism(), 4) : 1;
  const jobs = Math.max(1, Math.min(opts.jobs ?? auto, files.length));
  const answerOpts: AnswerOptions = {
    body: opts.body, today: opts.today, templatesDir: opts.templatesDir ?? null, template: opts.template ?? null,
    referenceDocx: opts.referenceDocx ?? null, markdownOnly: opts.markdownOnly,
  };
  const pool = jobs > 1 ? new WorkerPool(jobs, { registerPath: opts.registerPath ?? null, answer: answerOpts }) : null;
  // Every request is started at once (the pool queues them); results are written in file order,
  // so the outcome never depends on which worker finished first.
  const targetOf = (file: string) => join(outDir, dirname(relative(inDir, file)));
  const pending = files.map((file): Promise<Produced> => (pool ? pool.run(file, targetOf(file)) : produceHere(db, file, { ...answerOpts, outDir: targetOf(file) })));
  const items: BatchItem[] = [];
  const claimed = new Map<string, string>();
  // Every file atomically (temp, fsync, rename), each letter's files all or none, with one
  // directory sync for the whole batch. A letter whose files cannot be put in place fails alone.
  const writer = new AtomicWriter();
  const placing: { item: BatchItem; failure: Promise<Error | null> }[] = [];
  try {
    for (const [i, file] of files.entries()) {
      const rel = relative(inDir, file);
      const item: BatchItem = { file: rel, reference: null, status: 'unchanged', error: null, outputs: [], figureChanges: [], warnings: [] };
      items.push(item);
      const produced = await pending[i];
      item.reference = produced.reference;
      try {
        if (!produced.ok) throw new Error(produced.error);
        item.figureChanges = produced.changes;
        item.warnings = produced.warnings;
        const target = join(outDir, dirname(rel));
        const planned = produced.files.map((f) => ({ path: join(target, f.name), data: f.data }));
        for (const p of planned) {
          const other = claimed.get(p.path);
          if (other) throw new Error(`writes ${relative(outDir, p.path)}, which ${other} also writes (two requests with reference "${produced.reference}" in one folder)`);
        }
        for (const p of planned) claimed.set(p.path, rel);
        item.outputs = planned.map((p) => ({ path: relative(outDir, p.path), status: writeStatus(p.path, p.data) }));
        if (!opts.check) {
          const letter = writer.group(produced.reference);
          for (const [j, p] of planned.entries()) if (item.outputs[j].status !== 'unchanged') await letter.write(p.path, p.data);
          placing.push({ item, failure: letter.close().then(() => null, (e: Error) => e) });
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
    for (const { item, failure } of placing) {
      const e = await failure;
      if (!e) continue;
      item.status = 'failed';
      item.error = e.message;
      item.outputs = [];
      item.figureChanges = [];
    }
  } finally {
    await pool?.close();
    await writer.finish();
  }
  const counts: Record<RequestStatus, number> = { created: 0, changed: 0, unchanged: 0, failed: 0 };
  for (const it of items) counts[it.status]++;
  return { items, counts };
}

async function produceHere(db: Db, file: string, opts: AnswerOptions): Promise<Produced> {
  let reference: string | null = null;
  try {
    const { request: req, deadline, warnings } = loggedRequestFile(db, file, opts.today);
    reference = req.reference;
    const answer = await produceAnswer(db, req, { ...opts, deadline, requestFile: file });
    return { ok: true, reference, files: answer.files, changes: answer.changes, warnings };
  } catch (e) {
    return { ok: false, reference, error: (e as Error).message };
  }
}

/**
 * A fixed set of worker threads, each given the next queued request file while it has fewer than
 * PER_WORKER in hand. A worker answers its requests one at a time; holding a second one means it
 * never waits for the main thread (busy writing files) to hand it more work.
 */
const PER_WORKER = 2;

class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly queue: { id: number; file: string; outDir: string }[] = [];
  private readonly waiting = new Map<number, (r: Produced) => void>();
  /** The requests each worker holds, oldest first. */
  private readonly held = new Map<Worker, number[]>();
  private nextId = 0;

  constructor(n: number, init: WorkerInit) {
    for (let i = 0; i < n; i++) {
      const w = new Worker(new URL('./batch-worker.js', import.meta.url), { workerData: init });
      w.on('message', (reply: WorkerReply) => {
        const ids = this.held.get(w)!;
        ids.splice(ids.indexOf(reply.id), 1);
        this.waiting.get(reply.id)?.(reply.ok ? { ok: true, reference: reply.reference, files: reply.files, changes: reply.changes, warnings: reply.warnings } : { ok: false, reference: reply.reference, error: reply.error });
        this.waiting.delete(reply.id);
        this.pump();
      });
      // A worker that dies (e.g. cannot open the register) fails the requests it held and leaves.
      w.on('error', (e) => {
        for (const id of this.held.get(w) ?? []) {
          this.waiting.get(id)?.({ ok: false, reference: null, error: e.message });
          this.waiting.delete(id);
        }
        this.held.delete(w);
        const k = this.workers.indexOf(w);
        if (k >= 0) this.workers.splice(k, 1);
        if (!this.workers.length) for (const [qid, resolve] of this.waiting) resolve({ ok: false, reference: null, error: e.message }), this.waiting.delete(qid);
        else this.pump();
      });
      this.workers.push(w);
      this.held.set(w, []);
    }
  }

  run(file: string, outDir: string): Promise<Produced> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.queue.push({ id, file, outDir });
      this.pump();
    });
  }

  private pump(): void {
    for (let depth = 1; depth <= PER_WORKER; depth++) {
      for (const w of this.workers) {
        const ids = this.held.get(w)!;
        if (ids.length >= depth || !this.queue.length) continue;
        const job = this.queue.shift()!;
        ids.push(job.id);
        w.postMessage(job);
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
