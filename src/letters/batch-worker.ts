/**
 * A batch worker thread: opens the register once, then answers request files it is sent and
 * posts back the bytes. The main thread does all writing, so a failure here writes nothing.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db/open.js';
import { openDefaultRegister } from '../register/default-register.js';
import { loggedRequestFile } from '../log/letters.js';
import { produceAnswer, type AnswerOptions, type FigureChange } from './answer.js';

export interface WorkerInit {
  registerPath: string | null;
  answer: AnswerOptions;
}

export type WorkerReply =
  | { id: number; ok: true; reference: string; files: { name: string; data: string | Uint8Array }[]; changes: FigureChange[]; warnings: string[] }
  | { id: number; ok: false; reference: string | null; error: string };

const init = workerData as WorkerInit;
const db = init.registerPath ? openDatabase(init.registerPath) : await openDefaultRegister();

/** One request: answer it and post back the bytes (or the error). */
async function answerRequest({ id, file, outDir }: { id: number; file: string; outDir: string }): Promise<void> {
  let reference: string | null = null;
  try {
    const { request: req, deadline, warnings } = loggedRequestFile(db, file, init.answer.today);
    reference = req.reference;
    const answer = await produceAnswer(db, req, { ...init.answer, outDir, deadline, requestFile: file });
    // Binary files (DOCX, workbook) own their buffers: hand them over instead of copying them.
    const transfer = [...new Set(answer.files.flatMap((f) => (typeof f.data !== 'string' && f.data.byteOffset === 0 && f.data.byteLength === f.data.buffer.byteLength && f.data.buffer instanceof ArrayBuffer ? [f.data.buffer] : [])))];
    parentPort!.postMessage({ id, ok: true, reference, files: answer.files, changes: answer.changes, warnings } satisfies WorkerReply, transfer);
  } catch (e) {
    parentPort!.postMessage({ id, ok: false, reference, error: (e as Error).message } satisfies WorkerReply);
  }
}

// Requests are answered one at a time, in the order sent (the pool may send the next one early).
let queue = Promise.resolve();
parentPort!.on('message', (job: { id: number; file: string; outDir: string }) => {
  queue = queue.then(() => answerRequest(job));
});
