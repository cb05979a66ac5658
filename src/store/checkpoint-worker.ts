import { Database } from "bun:sqlite";

// Runs in a Worker (see checkpointer.ts): its own connection, so the fsyncs of a WAL
// checkpoint never stall the daemon's event loop.
declare const self: Worker;

let db: Database | null = null;
let timer: ReturnType<typeof setInterval> | undefined;

self.onmessage = (event: MessageEvent<{ file: string; intervalMs: number } | "stop">) => {
  if (event.data === "stop") {
    clearInterval(timer);
    try {
      // A final full checkpoint leaves a small WAL behind for the next start.
      db?.run("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch {
      // Busy: the next opener checkpoints.
    }
    db?.close();
    db = null;
    self.postMessage("stopped");
    return;
  }
  db = new Database(event.data.file);
  db.run("PRAGMA busy_timeout = 1000");
  timer = setInterval(() => {
    try {
      // PASSIVE never waits for writers: whatever cannot be copied now is copied next time.
      db?.run("PRAGMA wal_checkpoint(PASSIVE)");
    } catch {
      // A busy database is the writer's, not an error.
    }
  }, event.data.intervalMs);
  self.postMessage("started");
};
