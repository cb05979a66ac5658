import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { silentLog } from "../../src/shared/log.ts";
import { startCheckpointer } from "../../src/store/checkpointer.ts";
import { openStore } from "../../src/store/store.ts";
import { eventually } from "../helpers/sandbox.ts";
import { createSandbox } from "../helpers/sandbox.ts";

/**
 * How far the WAL has been copied into the database, read from SQLite's wal-index (the
 * -shm file, documented in SQLite's walformat.html): the header's mxFrame at byte 16 and
 * the checkpoint info's nBackfill at byte 96, both in native byte order.
 */
function walProgress(file: string): { frames: number; backfilled: number } {
  const shm = readFileSync(`${file}-shm`);
  return { frames: shm.readUInt32LE(16), backfilled: shm.readUInt32LE(96) };
}

describe("background checkpoints", () => {
  test("the WAL is copied into the database while writes keep coming, and all of it soon after they stop", async () => {
    await using box = createSandbox();
    const file = join(box.home, "remcli.db");
    using store = openStore(file, silentLog, "quarantine");
    const checkpointer = await startCheckpointer(store.db, file, silentLog);
    try {
      const session = store.sessions.getOrCreate({ tag: "t", metadata: "m", agentState: null, dataEncryptionKey: null }).session;
      const content = "x".repeat(1024);
      let n = 0;
      // The worker has copied frames when nBackfill moves, or when the WAL restarted from
      // its start (which a writer does once every frame was copied, resetting both counts).
      let copied = false;
      let last = walProgress(file);
      const writeFor = async (ms: number) => {
        const until = performance.now() + ms;
        while (performance.now() < until) {
          store.transaction(() => store.messages.appendAll([{ sessionId: session.id, content, localId: `l${n++}`, digest: null }]));
          const now = walProgress(file);
          if (now.backfilled > 0 || now.frames < last.frames) copied = true;
          last = now;
          await Bun.sleep(5);
        }
      };

      // 3 s of commits every few ms: the worker must have copied frames while they kept coming.
      await writeFor(3_000);
      console.log(`during 3 s of writes the WAL was ${copied ? "" : "never "}copied; ${last.backfilled} of ${last.frames} frames at the end`);
      expect(copied).toBe(true);

      const stopped = performance.now();
      await eventually("the WAL copied once writes stop", () => {
        const now = walProgress(file);
        return now.backfilled === now.frames ? true : undefined;
      }, 2_000);
      console.log(`every frame copied ${Math.round(performance.now() - stopped)} ms after the last write`);
    } finally {
      await checkpointer.stop();
    }
  }, 20_000);
});
