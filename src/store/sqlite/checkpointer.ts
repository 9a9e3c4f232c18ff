/**
 * WAL checkpoints off the request thread (docs/sessions.md, "Checkpoints run on a worker thread").
 *
 * In WAL mode every commit appends pages to the -wal file; a checkpoint copies them back into the
 * database file and fsyncs both. SQLite runs it inside whichever COMMIT crosses `wal_autocheckpoint`
 * (1,000 pages), on the event loop, where it stalls every request waiting behind it. Here a worker
 * thread with its own connection runs PASSIVE checkpoints (they never block the writer) every
 * CHECKPOINT_MS; the writer's own automatic checkpoint stays as a backstop at a much larger size,
 * should the worker fall behind or stop. A rolled-back unit (a failure, a dry run) writes nothing the
 * worker could see: only committed frames are checkpointed.
 */
import { Worker } from 'node:worker_threads';

/** How often the worker checkpoints (ms). */
export const CHECKPOINT_MS = 200;
/** The writer's own automatic checkpoint, in pages: a backstop only (40 MB of WAL with 4 KiB pages). */
export const BACKSTOP_PAGES = 10_000;

export interface Checkpointer {
  /** Completed checkpoints (for tests and diagnostics). */
  readonly count: () => number;
  stop(): Promise<void>;
}

/**
 * Starts the worker on `path`. `onFailure` runs once if the worker cannot run (it then stops): the
 * caller puts the writer's automatic checkpoint back to SQLite's default.
 */
export function startCheckpointer(path: string, onFailure: (err: unknown) => void): Checkpointer {
  const worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), { workerData: { path, intervalMs: CHECKPOINT_MS } });
  worker.unref(); // never keeps the process alive on its own
  let done = 0;
  let failed = false;
  const fail = (err: unknown) => {
    if (failed) return;
    failed = true;
    onFailure(err);
  };
  worker.on('message', (m: { checkpointed?: true; error?: string }) => {
    if (m.checkpointed) done++;
    if (m.error !== undefined) fail(new Error(m.error));
  });
  worker.on('error', fail);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    count: () => done,
    async stop() {
      worker.ref(); // keep the event loop alive until the worker has closed its connection
      worker.postMessage('stop');
      const timer = setTimeout(() => void worker.terminate(), 5_000); // a checkpoint in progress ends well before
      await exited;
      clearTimeout(timer);
    },
  };
}
