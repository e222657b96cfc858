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

parentPort!.on('message', async ({ id, file, outDir }: { id: number; file: string; outDir: string }) => {
  let reference: string | null = null;
  try {
    const { request: req, deadline, warnings } = loggedRequestFile(db, file, init.answer.today);
    reference = req.reference;
    const answer = await produceAnswer(db, req, { ...init.answer, outDir, deadline });
    parentPort!.postMessage({ id, ok: true, reference, files: answer.files, changes: answer.changes, warnings } satisfies WorkerReply);
  } catch (e) {
    parentPort!.postMessage({ id, ok: false, reference, error: (e as Error).message } satisfies WorkerReply);
  }
});
