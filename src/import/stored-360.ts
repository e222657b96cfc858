/**
 * A 360Giving file (flat CSV or package JSON) read into grants as the register stores them
 * (StoredGrant), in batches, with its errors, its warnings and notes counted (IssueTally) and, for
 * `--report`, every one in file order; at the end, the file's sha256 (hashed as it is read: one
 * pass over the file) and the funders and publishers it names.
 *
 * The same producer runs in the writing thread (small files, and tests) or, for a large file, in
 * a reading thread (read-worker.ts): reading, validating and mapping a batch then overlaps with
 * writing the one before, on a second core. The reading thread runs at most CREDITS batches
 * ahead, so memory stays flat whatever the file's size.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DataError, FoiError, UsageError } from '../core/errors.js';
import { idPrefix, SentOrgs, toStored, type StoredGrant } from '../register/stored-grant.js';
import type { GrantInput, Issue, Normalisation } from '../register/types.js';
import { IssueTally, type TallyData } from './issue-tally.js';
import { read360Batches } from './360/read.js';
import { unpackGrants, type PackedGrants } from './stored-transfer.js';

/** In file order: every error; warnings and normalised values only when a report is written. */
export type ReportItem = { issue: Issue; note?: undefined } | { note: Normalisation; issue?: undefined };

export interface StoredBatch {
  kind: 'batch';
  grants: StoredGrant[];
  /**
   * Records that bring definitions with them (a `foi export`'s extension: sources, themes, flags,
   * measures, organisations): the writer checks their references and writes them as the
   * register's own records are, after the batch's stored grants.
   */
  inputs: { grant: GrantInput; location: string }[];
  items: ReportItem[];
  /** Bytes of the file read since the previous batch. */
  bytes: number;
}

export interface StoredEnd {
  kind: 'end';
  sha256: string;
  /** Funders (org ids) and publishers (id prefixes) of the file's grants: "no longer in the source" looks for theirs. */
  funders: string[];
  prefixes: string[];
  tally: TallyData;
}

export type StoredMessage = StoredBatch | StoredEnd;

/** A batch as the reading thread posts it: the grants packed (stored-transfer.ts). */
export interface PostedBatch extends Omit<StoredBatch, 'grants'> {
  packed: PackedGrants;
}

export interface Stored360Options {
  encoding?: string;
  /** Forward every warning and normalised value (for --report), not only the tally. */
  report: boolean;
  /** ISO date for "award date in the future" (tests). */
  today?: string;
}

/** Grants per batch: big enough that handing a batch over costs little per grant, small enough to die young. */
const BATCH = 1024;
/** Batches the reading thread may run ahead of the writer. */
const CREDITS = 4;
/** Files at least this big are read in a thread of their own (starting one costs about 50 ms). */
const WORKER_MIN_BYTES = 2 << 20;

export async function* produce360(path: string, opts: Stored360Options): AsyncGenerator<StoredMessage> {
  const hash = createHash('sha256');
  let bytes = 0;
  const onRead = (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
  };
  const tally = new IssueTally();
  const sent = new SentOrgs();
  const funders = new Set<string>();
  const prefixes = new Set<string>();
  let position = 0;
  let grants: StoredGrant[] = [];
  let inputs: StoredBatch['inputs'] = [];
  let items: ReportItem[] = [];
  for await (const batch of read360Batches(path, { encoding: opts.encoding, onRead, today: opts.today })) {
    for (const item of batch) {
      if (item.kind === 'grant') {
        const g = item.grant;
        g.position = position++;
        if (g.fundingOrg?.id) funders.add(g.fundingOrg.id);
        prefixes.add(idPrefix(g.id));
        if (g.definitions) inputs.push({ grant: g, location: item.location });
        else grants.push(toStored(g, item.location, sent));
      } else if (item.kind === 'issue') {
        if (item.issue.severity !== 'error') tally.warning(item.issue);
        if (item.issue.severity === 'error' || opts.report) items.push({ issue: item.issue });
      } else {
        tally.note(item.note);
        if (opts.report) items.push({ note: item.note });
      }
    }
    if (grants.length + inputs.length >= BATCH || items.length >= BATCH) {
      yield { kind: 'batch', grants, inputs, items, bytes };
      grants = [];
      inputs = [];
      items = [];
      bytes = 0;
    }
  }
  yield { kind: 'batch', grants, inputs, items, bytes };
  yield { kind: 'end', sha256: hash.digest('hex'), funders: [...funders], prefixes: [...prefixes], tally: tally.data() };
}

/** The reading thread's script (dist/read-worker.js beside the bundle's chunks); null when running from the sources (tests). */
function workerScript(): URL | null {
  const url = new URL('./read-worker.js', import.meta.url);
  return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url : null;
}

/**
 * The messages of produce360 for a file, from a reading thread when the file is large (and the
 * build has one), else from this thread. `return()` stops the reading.
 */
export function stored360(path: string, size: number, opts: Stored360Options): AsyncGenerator<StoredMessage> {
  const script = size >= WORKER_MIN_BYTES ? workerScript() : null;
  return script ? fromWorker(script, path, opts) : produce360(path, opts);
}

/** What the reading thread posts when the producer throws: the error, rebuilt on this side as the same kind. */
export interface WorkerFailure {
  kind: 'fail';
  type: 'usage' | 'data' | 'other';
  message: string;
  details: string[];
  stack: string | null;
}

export function failureOf(e: unknown): WorkerFailure {
  const err = e instanceof Error ? e : new Error(String(e));
  const type = err instanceof UsageError ? 'usage' : err instanceof DataError ? 'data' : 'other';
  return { kind: 'fail', type, message: err.message, details: err instanceof FoiError ? err.details : [], stack: err.stack ?? null };
}

function errorOf(f: WorkerFailure): Error {
  if (f.type === 'usage') return new UsageError(f.message, f.details);
  if (f.type === 'data') return new DataError(f.message, f.details);
  const e = new Error(`reading thread: ${f.message}`);
  if (f.stack) e.stack = f.stack;
  return e;
}

async function* fromWorker(script: URL, path: string, opts: Stored360Options): AsyncGenerator<StoredMessage> {
  const worker = new Worker(script, { workerData: { path, opts, credits: CREDITS } });
  const queue: (PostedBatch | StoredEnd | WorkerFailure)[] = [];
  let wake: (() => void) | null = null;
  let exited: Error | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  worker.on('message', (m: PostedBatch | StoredEnd | WorkerFailure) => {
    queue.push(m);
    notify();
  });
  worker.on('error', (e) => {
    exited = e;
    notify();
  });
  worker.on('exit', (code) => {
    exited ??= new Error(`the reading thread stopped (exit code ${code})`);
    notify();
  });
  try {
    for (;;) {
      while (!queue.length) {
        if (exited) throw exited;
        await new Promise<void>((r) => (wake = r));
      }
      const m = queue.shift()!;
      if (m.kind === 'fail') throw errorOf(m);
      if (m.kind === 'end') {
        yield m;
        return;
      }
      // Taken: the reading thread may read one more batch while this one is written.
      worker.postMessage('ack');
      yield { kind: 'batch', grants: unpackGrants(m.packed), inputs: m.inputs, items: m.items, bytes: m.bytes };
    }
  } finally {
    worker.removeAllListeners();
    await worker.terminate();
  }
}
