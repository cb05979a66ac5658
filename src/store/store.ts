import type { Log } from "../shared/log.ts";
import { childrenStore } from "./children.ts";
import { daemonStateStore } from "./daemon-state.ts";
import { openDatabase } from "./db.ts";

/** The state database with one accessor per table group. */
export function openStore(file: string, log: Log) {
  const db = openDatabase(file, log);
  let closed = false;
  return {
    db,
    daemon: daemonStateStore(db),
    children: childrenStore(db),
    close() {
      if (closed) return;
      closed = true;
      db.close();
    },
    [Symbol.dispose]() {
      this.close();
    },
  };
}

export type Store = ReturnType<typeof openStore>;
