/**
 * The reading thread of `foi import` (see stored-360.ts): reads, validates and maps a 360Giving
 * file and posts its batches to the writing thread, at most `credits` ahead of it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { failureOf, produce360, type PostedBatch, type Stored360Options } from './stored-360.js';
import { packGrants } from './stored-transfer.js';

const { path, opts, credits: start } = workerData as { path: string; opts: Stored360Options; credits: number };
let credits = start;
let wake: (() => void) | null = null;
parentPort!.on('message', (m: unknown) => {
  if (m !== 'ack') return;
  credits++;
  wake?.();
  wake = null;
});

(async () => {
  try {
    for await (const m of produce360(path, opts)) {
      while (credits === 0) await new Promise<void>((r) => (wake = r));
      if (m.kind === 'end') {
        parentPort!.postMessage(m);
        continue;
      }
      credits--;
      const packed = packGrants(m.grants);
      const posted: PostedBatch = { kind: 'batch', packed, inputs: m.inputs, items: m.items, bytes: m.bytes };
      parentPort!.postMessage(posted, [packed.shape.buffer as ArrayBuffer, packed.nums.buffer as ArrayBuffer]);
    }
  } catch (e) {
    parentPort!.postMessage(failureOf(e));
  }
})();
