import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createPresence } from "../../src/p2p/presence.ts";
import { silentLog } from "../../src/shared/log.ts";
import { openStore } from "../../src/store/store.ts";
import { createSandbox } from "../helpers/sandbox.ts";

describe("presence", () => {
  test("a thinking ping for a session that does not exist is refused and remembers nothing", async () => {
    await using box = createSandbox();
    using store = openStore(join(box.home, "remcli.db"), silentLog, "quarantine");
    const presence = createPresence(store);
    // Any token holder can send session-alive with made-up ids: none may stay in memory.
    for (let i = 0; i < 1_000; i++) expect(presence.session(`nope-${i}`, true, Date.now(), true)).toBe(false);
    expect(presence.thinking("nope-0")).toBe(false);
    expect(presence.thinking("nope-999")).toBe(false);

    const { session } = store.sessions.getOrCreate({ tag: "t", metadata: "m", agentState: null, dataEncryptionKey: null });
    expect(presence.session(session.id, true, Date.now(), true)).toBe(true);
    expect(presence.thinking(session.id)).toBe(true);
    expect(presence.session(session.id, true, Date.now(), false)).toBe(true);
    expect(presence.thinking(session.id)).toBe(false);
  });
});
