import type { Database } from "bun:sqlite";
import type { Log } from "../shared/log.ts";
import { within } from "../shared/within.ts";
import { installedBinary } from "../shared/own-binary.ts";

const INTERVAL_MS = 200;

/**
 * From source the worker sits beside this file. In a compiled binary every module
 * shares the entry's URL, and build.ts adds the worker as an entry at its path below src/.
 */
function workerUrl(): string {
  const relative = installedBinary() ? "./store/checkpoint-worker.ts" : "./checkpoint-worker.ts";
  return new URL(relative, import.meta.url).href;
}

/**
 * Moves WAL checkpoints off the daemon's thread. SQLite otherwise runs them inside a
 * COMMIT once the WAL passes 1,000 pages, and their two fsyncs (5-20 ms here) stall
 * every socket for that long. The writer's own checkpoints are turned off only once
 * the worker runs; if it cannot start, SQLite's default stays.
 */
export async function startCheckpointer(db: Database, file: string, log: Log) {
  let worker: Worker;
  try {
    worker = new Worker(workerUrl());
    const started = new Promise<void>((resolve, reject) => {
      worker.onmessage = () => resolve();
      worker.onerror = (event) => reject(new Error(event.message));
    });
    worker.postMessage({ file, intervalMs: INTERVAL_MS });
    await started;
  } catch (error) {
    log.warn("background checkpoints unavailable; SQLite checkpoints in the writer", { error: String(error) });
    return { stop: async () => {} };
  }
  db.run("PRAGMA wal_autocheckpoint = 0");
  return {
    async stop() {
      db.run("PRAGMA wal_autocheckpoint = 1000");
      const stopped = new Promise<void>((resolve) => {
        worker.onmessage = () => resolve();
      });
      worker.postMessage("stop");
      await within(stopped, 2_000);
      worker.terminate();
    },
  };
}
