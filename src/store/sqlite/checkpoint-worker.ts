/** Worker thread of checkpointer.ts: PASSIVE WAL checkpoints on its own connection, every intervalMs. */
import BetterSqlite3 from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { isTransient } from './faults.js';

const { path, intervalMs } = workerData as { path: string; intervalMs: number };
const port = parentPort!;
let db: BetterSqlite3.Database | null = null;
let timer: NodeJS.Timeout | null = null;

function stop(): void {
  if (timer) clearTimeout(timer);
  timer = null;
  db?.close();
  db = null;
  port.close();
}

function tick(): void {
  try {
    // PASSIVE: copies what no reader still needs, without waiting for or blocking the writer
    db!.pragma('wal_checkpoint(PASSIVE)');
    port.postMessage({ checkpointed: true });
    timer = setTimeout(tick, intervalMs);
  } catch (err) {
    // a full disk or a passing I/O fault: the database is fine, checkpoints resume when the cause is gone
    if (isTransient(err)) {
      timer = setTimeout(tick, intervalMs);
      return;
    }
    port.postMessage({ error: (err as Error).message });
    stop();
  }
}

port.on('message', (m) => { if (m === 'stop') stop(); });
try {
  db = new BetterSqlite3(path, { fileMustExist: true });
  db.pragma('busy_timeout = 1000');
  timer = setTimeout(tick, intervalMs);
} catch (err) {
  port.postMessage({ error: (err as Error).message });
  stop();
}
