import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fakeClaude, phoneSession, type FakeClaude } from "../helpers/agent.ts";
import { keyedSession, register, startDaemon, type Daemon } from "../helpers/p2p.ts";
import { eventually } from "../helpers/sandbox.ts";
import { machineRpc } from "../helpers/sessions.ts";

// An attacker on the Wi-Fi who sniffed the bearer token tries to put itself between the
// phone and a session by registering the session's RPC names (issue 11, point 5).

let claude: FakeClaude;
let daemon: Daemon;
beforeAll(async () => {
  claude = fakeClaude();
  daemon = await startDaemon(claude.env);
});
afterAll(async () => {
  await daemon[Symbol.asyncDispose]();
  claude[Symbol.dispose]();
});

describe("RPC names are owned", () => {
  test("a phone (user-scoped) connection registers nothing", async () => {
    const { id } = await keyedSession(daemon);
    const phone = await daemon.connect();
    const answer = await register(phone, `${id}:permission`);
    console.log("user-scoped rpc-register:", answer.payload);
    expect(answer).toEqual({ event: "rpc-error", payload: { type: "register", error: `A user-scoped connection serves no RPC methods (${id}:permission refused)` } });
  });

  test("a session-scoped connection without the owner proof registers nothing, not even its own names", async () => {
    const { id } = await keyedSession(daemon);
    const claimant = await daemon.connect({ clientType: "session-scoped", sessionId: id });
    const answer = await register(claimant, `${id}:permission`);
    expect(answer.event).toBe("rpc-error");
    expect(answer.payload.error).toContain("without the owner proof");
  });

  test("a wrong owner proof fails the handshake, and a proof for one session owns no other", async () => {
    const { id } = await keyedSession(daemon);
    const forged = daemon.connect({ clientType: "session-scoped", sessionId: id, proof: "0".repeat(64) });
    await expect(forged).rejects.toThrow("Authentication failed: invalid owner proof");
    const other = await keyedSession(daemon);
    const owner = await daemon.connectOwner("session", id);
    expect((await register(owner, `${other.id}:permission`)).payload.error).toContain(`registers only its own methods (${id}:…)`);
    expect((await register(owner, `${id}:permission`)).event).toBe("rpc-registered");
    const machine = await daemon.connectOwner("machine", "m-owned");
    expect((await register(machine, `${id}:permission`)).event).toBe("rpc-error");
    expect((await register(machine, "m-owned:bash")).event).toBe("rpc-registered");
  });

  test("the daemon's own machine RPCs cannot be registered by anyone", async () => {
    const [machine] = (await daemon.api("/v1/machines")).body as Array<{ id: string }>;
    const impostor = await daemon.connectOwner("machine", machine!.id);
    const answer = await register(impostor, `${machine!.id}:spawn-remcli-session`);
    expect(answer.payload.error).toBe(`Method ${machine!.id}:spawn-remcli-session is served by the daemon itself`);
  });

  test("a reconnecting owner takes its names over even before the daemon sees the old connection go", async () => {
    const { id, cipher } = await keyedSession(daemon);
    const old = await daemon.connectOwner("session", id);
    old.on("rpc-request", (_request: unknown, reply: (answer: unknown) => void) => reply("old"));
    await register(old, `${id}:abort`);
    const successor = await daemon.connectOwner("session", id);
    successor.on("rpc-request", (_request: unknown, reply: (answer: unknown) => void) => reply("new"));
    expect((await register(successor, `${id}:abort`)).event).toBe("rpc-registered");
    const phone = await daemon.connect();
    expect(await phone.emitWithAck("rpc-call", { method: `${id}:abort`, params: cipher.encrypt({}) })).toEqual({ ok: true, result: "new" });
  });

  test("an attacker racing a new session for its names loses, and the phone's calls reach the session", async () => {
    const attacker = await daemon.connect();
    const unproven = new Map<string, Awaited<ReturnType<Daemon["connect"]>>>();
    const attempts: Array<Promise<{ event: string; payload: any }>> = [];
    // The moment a session is announced, try to take every name the phone will call.
    attacker.on("update", (update: { body: { t: string; id?: string } }) => {
      if (update.body.t !== "new-session" || !update.body.id) return;
      const sid = update.body.id;
      for (const name of ["permission", "abort", "killSession", "switch"]) attempts.push(register(attacker, `${sid}:${name}`));
      void daemon.connect({ clientType: "session-scoped", sessionId: sid }).then((socket) => {
        unproven.set(sid, socket);
        for (const name of ["permission", "abort"]) attempts.push(register(socket, `${sid}:${name}`));
      });
    });

    const phone = await daemon.connect();
    const directory = join(daemon.box.home, "work", "raced");
    mkdirSync(directory, { recursive: true });
    const spawned = await machineRpc(daemon, phone, "spawn-remcli-session", { type: "spawn-in-directory", directory });
    expect(spawned.type).toBe("success");
    await eventually("the attacker's six attempts", () => (attempts.length === 6 ? true : undefined));
    const answers = await Promise.all(attempts);
    console.log("attacker's registrations:", answers.map((a) => a.event).join(", "));
    expect(answers.every((a) => a.event === "rpc-error")).toBe(true);

    const session = await phoneSession(daemon, phone, spawned.sessionId);
    await eventually("the agent state to be written", async () => ((await session.state()).version > 0 ? true : undefined));
    // switch answers false when no terminal holds the session: the session itself answered.
    expect(await session.rpc("switch", { to: "local" })).toBe(false);
    expect(await session.rpc("abort", {})).toEqual({ ok: true });
  });
});
