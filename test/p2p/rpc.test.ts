import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createCipher } from "../../src/crypto/session-cipher.ts";
import { keyedSession, register as registered, startDaemon, type Daemon } from "../helpers/p2p.ts";
import { eventually, isAlive } from "../helpers/sandbox.ts";

let daemon: Daemon;
beforeAll(async () => {
  daemon = await startDaemon({ REMCLI_RPC_TIMEOUT_MS: "300" });
});
afterAll(async () => {
  await daemon[Symbol.asyncDispose]();
});

describe("RPC", () => {
  test("rpc-call is forwarded as rpc-request and the handler's answer comes back", async () => {
    const { id, cipher } = await keyedSession(daemon);
    const session = await daemon.connectOwner("session", id);
    session.on("rpc-request", (request: { method: string; params: string }, reply: (r: unknown) => void) =>
      reply(`echo:${request.method}:${request.params}`),
    );
    expect(await registered(session, `${id}:bash`)).toEqual({ event: "rpc-registered", payload: { method: `${id}:bash` } });
    const phone = await daemon.connect();
    const params = cipher.encrypt({ command: "ls" });
    expect(await phone.emitWithAck("rpc-call", { method: `${id}:bash`, params })).toEqual({
      ok: true,
      result: `echo:${id}:bash:${params}`,
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
    const { id, cipher } = await keyedSession(daemon);
    const silent = await daemon.connectOwner("session", id);
    silent.on("rpc-request", () => {});
    await registered(silent, `${id}:abort`);
    const phone = await daemon.connect();
    const answer = await phone.emitWithAck("rpc-call", { method: `${id}:abort`, params: cipher.encrypt({}) });
    expect(answer).toMatchObject({ ok: false, error: expect.stringContaining("timed out") });
  });

  test("a handler that disconnects mid-call fails the call at once, and its methods are gone", async () => {
    const { id, cipher } = await keyedSession(daemon);
    const leaving = await daemon.connectOwner("session", id);
    leaving.on("rpc-request", () => leaving.disconnect());
    await registered(leaving, `${id}:switch`);
    const phone = await daemon.connect();
    const started = Date.now();
    const answer = await phone.emitWithAck("rpc-call", { method: `${id}:switch`, params: cipher.encrypt({ to: "local" }) });
    expect(answer).toMatchObject({ ok: false, error: expect.stringContaining("disconnected") });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await phone.emitWithAck("rpc-call", { method: `${id}:switch`, params: cipher.encrypt({ to: "local" }) })).toMatchObject({
      ok: false,
      error: expect.stringContaining("No handler"),
    });
  });

  test("machine RPCs want params encrypted with the machine's key and answer encrypted", async () => {
    const [machine] = (await daemon.api("/v1/machines")).body as Array<{ id: string; dataEncryptionKey: string; metadata: string }>;
    const cipher = createCipher(daemon.secret, machine!.dataEncryptionKey);
    expect(cipher.decrypt(machine!.metadata)).toMatchObject({ platform: process.platform, remcliCliVersion: expect.any(String) });
    const phone = await daemon.connect();

    const plain = await phone.emitWithAck("rpc-call", {
      method: `${machine!.id}:stop-daemon`,
      params: JSON.stringify({ unencrypted: "but long enough to look like a ciphertext" }),
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
