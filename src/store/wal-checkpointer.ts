import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The checkpointer's own thread, in plain JavaScript (run with `eval`: the server may run without a
 * TypeScript loader in its worker threads). Its own connection copies the WAL's frames into the database
 * file (PASSIVE: it never waits for, nor holds up, a writer or a reader), every `intervalMs` and when asked.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('wal_autocheckpoint = 0');
const checkpoint = () => {
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    return { busy: row.busy, log: row.log, checkpointed: row.checkpointed };
  } catch (error) {
    return { error: String(error && error.message) };
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'checkpoint') return parentPort.postMessage(checkpoint());
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export type CheckpointResult = { busy: number; log: number; checkpointed: number } | { error: string };

export interface WalCheckpointer {
  /** One checkpoint now, answered when it is done (tests, and anyone who wants the WAL copied at once). */
  checkpoint(): Promise<CheckpointResult>;
  close(): Promise<void>;
}

/**
 * Copies a SQLite file's WAL into the database on a thread of its own. Done by the connection that commits
 * (SQLite's autocheckpoint), a checkpoint stops the event loop for the whole copy and its fsync of the WAL
 * (about 0.1 s at 16 MiB on this machine's disk) while nothing else of the server can run: the password
 * hashes that finish meanwhile wait for it and both cores can sit idle (issue 29). The server's own
 * connection keeps its autocheckpoint as a floor, for a thread that has stopped or fallen behind.
 */
export function startWalCheckpointer(path: string, intervalMs: number): WalCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, driver, intervalMs } });
  // Never the reason a process stays up; a thread that fails leaves the autocheckpoint to do the work.
  worker.unref();
  let running = true;
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      running = false;
      resolve();
    }),
  );
  // A thread that fails (the file gone, the driver missing) ends; the autocheckpoint goes on without it.
  worker.on('error', () => undefined);
  return {
    checkpoint: () =>
      running
        ? new Promise((resolve) => {
            // Held up while an answer is awaited, so the process waits for it.
            worker.ref();
            const stopped = () => resolve({ error: 'the checkpoint thread has stopped' });
            worker.once('exit', stopped);
            worker.once('message', (result: CheckpointResult) => {
              worker.off('exit', stopped);
              worker.unref();
              resolve(result);
            });
            worker.postMessage('checkpoint');
          })
        : Promise.resolve({ error: 'the checkpoint thread has stopped' }),
    close: async () => {
      worker.ref();
      worker.postMessage('close');
      await exited;
    },
  };
}
