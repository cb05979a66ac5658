#!/usr/bin/env bun
/**
 * What `remcli daemon qr --rotate` costs with many sessions: the re-wrap of every data key
 * (src/daemon/rewrap-keys.ts, one transaction) against a store of its own in a temp folder,
 * for 100, 1,000 and 5,000 sessions. Each re-wrap opens the key under the old content key
 * pair and seals it to the new one (curve25519, pure JS): the cost grows with the sessions.
 *
 *   bun bench/rotate.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newDataEncryptionKey } from "../src/crypto/session-cipher.ts";
import { randomBytes } from "../src/crypto/encoding.ts";
import { rewrapDataKeys } from "../src/daemon/rewrap-keys.ts";
import { silentLog } from "../src/shared/log.ts";
import { openStore } from "../src/store/store.ts";

for (const count of [100, 1_000, 5_000]) {
  const dir = mkdtempSync(join(tmpdir(), "remcli-bench-rotate-"));
  try {
    using store = openStore(join(dir, "remcli.db"), silentLog);
    const old = randomBytes(32);
    store.transaction(() => {
      for (let i = 0; i < count; i++) {
        store.sessions.getOrCreate({ tag: `t${i}`, metadata: "bWV0YQ==", agentState: null, dataEncryptionKey: newDataEncryptionKey(old).wrapped });
      }
    });
    const started = performance.now();
    const report = rewrapDataKeys(store, old, randomBytes(32));
    const ms = performance.now() - started;
    console.log(`${count} sessions: re-wrapped ${report.rewrapped.sessions} in ${ms.toFixed(0)} ms (${(ms / count).toFixed(2)} ms each)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
