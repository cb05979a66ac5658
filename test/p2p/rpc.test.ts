import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createCipher } from "../../src/crypto/session-cipher.ts";
import { startDaemon, type Daemon } from "../helpers/p2p.ts";
import { eventually, isAlive } from "../helpers/sandbox.ts";

let daemon: Daemon;
beforeAll(async () => {
  daemon = await startDaemon({ REMCLI_RPC_TIMEOUT_MS: "300" });
});
afterAll(async () => {
  await daemon[Symbol.asyncDispose]();
});

async function registered(socket: Awaited<ReturnType<Daemon["connect"]>>, method: string) {
  const answer = new Promise<{ event: string; payload: unknown }>((resolve) => {
    socket.once("rpc-registered", (payload) => resolve({ event: "rpc-registered", payload }));
    socket.once("rpc-error", (payload) => resolve({ event: "rpc-error", payload }));
  });
  socket.emit("rpc-register", { method });
  return answer;
}

describe("RPC", () => {
  test("rpc-call is forwarded as rpc-request and the handler's answer comes back", async () => {
    const session = await daemon.connect({ clientType: "session-scoped", sessionId: "s-rpc" });
    session.on("rpc-request", (request: { method: string; params: string }, reply: (r: unknown) => void) =>
      reply(`echo:${request.method}:${request.params}`),
    );
    expect(await registered(session, "s-rpc:bash")).toEqual({ event: "rpc-registered", payload: { method: "s-rpc:bash" } });
    const phone = await daemon.connect();
    expect(await phone.emitWithAck("rpc-call", { method: "s-rpc:bash", params: "cGFyYW1z" })).toEqual({
      ok: true,
      result: "echo:s-rpc:bash:cGFyYW1z",
    });
  });

  test("no handler is a typed error naming the method", async () => {
    const phone = await daemon.connect();
    expect(await phone.emitWithAck("rpc-call", { method: "nobody:home", params: "" })).toEqual({
      ok: false,
      error: "No handler registered for method: nobody:home",
    });
  });

  test("a handler that never answers times out with an error", async () => {
    const silent = await daemon.connect({ clientType: "session-scoped", sessionId: "s-silent" });
    silent.on("rpc-request", () => {});
    await registered(silent, "s-silent:abort");
    const phone = await daemon.connect();
    const answer = await phone.emitWithAck("rpc-call", { method: "s-silent:abort", params: "" });
    expect(answer).toMatchObject({ ok: false, error: expect.stringContaining("timed out") });
  });

  test("a handler that disconnects mid-call fails the call at once, and its methods are gone", async () => {
    const leaving = await daemon.connect({ clientType: "session-scoped", sessionId: "s-gone" });
    leaving.on("rpc-request", () => leaving.disconnect());
    await registered(leaving, "s-gone:switch");
    const phone = await daemon.connect();
    const started = Date.now();
    const answer = await phone.emitWithAck("rpc-call", { method: "s-gone:switch", params: "" });
    expect(answer).toMatchObject({ ok: false });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await phone.emitWithAck("rpc-call", { method: "s-gone:switch", params: "" })).toMatchObject({
      ok: false,
      error: expect.stringContaining("No handler"),
    });
  });

  test("a session or machine connection registers only its own methods", async () => {
    const session = await daemon.connect({ clientType: "session-scoped", sessionId: "s-own" });
    expect(await registered(session, "s-other:permission")).toEqual({
      event: "rpc-error",
      payload: { type: "register", error: "A session-scoped connection registers only its own methods (s-own:…), not s-other:permission" },
    });
    expect((await registered(session, "s-own:permission")).event).toBe("rpc-registered");
    const machine = await daemon.connect({ clientType: "machine-scoped", machineId: "m-own" });
    expect((await registered(machine, "m-other:bash")).event).toBe("rpc-error");
    expect((await registered(machine, "m-own:bash")).event).toBe("rpc-registered");
  });

  test("a name held by a live socket cannot be taken; after it disconnects a new socket may register it", async () => {
    const holder = await daemon.connect({ clientType: "session-scoped", sessionId: "s-held" });
    await registered(holder, "s-held:permission");
    const thief = await daemon.connect();
    const refused = await registered(thief, "s-held:permission");
    expect(refused.event).toBe("rpc-error");
    expect(refused.payload).toMatchObject({ type: "register" });
    holder.disconnect();
    const successor = await daemon.connect({ clientType: "session-scoped", sessionId: "s-held" });
    await eventually("the name to be free", async () => {
      const answer = await registered(successor, "s-held:permission");
      return answer.event === "rpc-registered" ? true : undefined;
    });
    const unregistered = new Promise((resolve) => successor.once("rpc-unregistered", resolve));
    successor.emit("rpc-unregister", { method: "s-held:permission" });
    expect(await unregistered).toEqual({ method: "s-held:permission" });
  });

  test("machine RPCs want params encrypted with the machine's key and answer encrypted", async () => {
    const [machine] = (await daemon.api("/v1/machines")).body as Array<{ id: string; dataEncryptionKey: string; metadata: string }>;
    const cipher = createCipher(daemon.secret, machine!.dataEncryptionKey);
    expect(cipher.decrypt(machine!.metadata)).toMatchObject({ platform: process.platform, remcliCliVersion: expect.any(String) });
    const phone = await daemon.connect();

    const plain = await phone.emitWithAck("rpc-call", {
      method: `${machine!.id}:stop-daemon`,
      params: JSON.stringify({}),
    });
    expect(plain).toMatchObject({ ok: false, error: expect.stringContaining("did not decrypt") });
    const forged = createCipher(new Uint8Array(32).fill(1), null).encrypt({});
    expect(await phone.emitWithAck("rpc-call", { method: `${machine!.id}:stop-daemon`, params: forged })).toMatchObject({
      ok: false,
    });
    expect(isAlive(daemon.pid)).toBe(true);

    const spawn = await phone.emitWithAck("rpc-call", {
      method: `${machine!.id}:spawn-remcli-session`,
      params: cipher.encrypt({ type: "spawn-in-directory", directory: join(daemon.box.home, "not-yet") }),
    });
    expect(spawn.ok).toBe(true);
    expect(cipher.decrypt(spawn.result)).toEqual({
      type: "requestToApproveDirectoryCreation",
      directory: join(daemon.box.home, "not-yet"),
    });

    const stop = await phone.emitWithAck("rpc-call", { method: `${machine!.id}:stop-daemon`, params: cipher.encrypt({}) });
    expect(stop.ok).toBe(true);
    expect(cipher.decrypt(stop.result)).toEqual({ message: "Daemon is shutting down" });
    await eventually("the daemon to exit", () => (isAlive(daemon.pid) ? undefined : true));
    expect(daemon.box.row()).toMatchObject({ state: "stopped", state_reason: "stopped from the phone (stop-daemon)" });
  });
});
