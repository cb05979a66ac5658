import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "bun:test";
import { createNativeCipher } from "../../src/crypto/native.ts";
import { p2pAuthToken } from "../../src/crypto/p2p-token.ts";
import { assistantText, fakeClaude, phoneSession, spawnFromPhone } from "../helpers/agent.ts";
import { createSession, keyedSession, startDaemon, type Daemon } from "../helpers/p2p.ts";
import { eventually } from "../helpers/sandbox.ts";
import { machineRpc } from "../helpers/sessions.ts";

type WireSession = { id: string; active: boolean; dataEncryptionKey: string | null; metadata: string };

/** Every stored message of a session, decrypted with `secret` (null where it does not open). */
async function readable(daemon: Daemon, secret: Uint8Array, sessionId: string) {
  const sessions = (await daemon.api("/v1/sessions")).body.sessions as WireSession[];
  const session = sessions.find((s) => s.id === sessionId)!;
  const cipher = createNativeCipher(secret, session.dataEncryptionKey);
  const page = await daemon.api(`/v1/sessions/${sessionId}/messages?after=0&limit=1000`);
  const messages = page.body.messages as Array<{ seq: number; content: { c: string } }>;
  return { metadata: cipher.decrypt(session.metadata), plain: messages.map((m) => cipher.decrypt(m.content.c)) };
}

describe("qr --rotate keeps every session", () => {
  test("running and ended sessions stay readable under the new secret, running ones answer, the old key is told apart", async () => {
    using claude = fakeClaude();
    await using daemon = await startDaemon(claude.env);
    const alpha = await spawnFromPhone(daemon, "alpha");
    const beta = await spawnFromPhone(daemon, "beta");
    const ended = await spawnFromPhone(daemon, "ended");
    for (const { session } of [alpha, beta, ended]) {
      const at = await session.send("hello");
      await session.waitFor("the echo", (m) => assistantText(m) === "echo: hello", at);
    }
    await machineRpc(daemon, ended.phone, "stop-session", { sessionId: ended.sessionId });
    await eventually("the stopped session to be inactive", async () => {
      const sessions = (await daemon.api("/v1/sessions")).body.sessions as WireSession[];
      return sessions.find((s) => s.id === ended.sessionId)?.active === false ? true : undefined;
    });
    // A session of the legacy variant (no data key), as an older client makes it.
    const legacy = await createSession(daemon);
    const oldSecret = daemon.secret;
    const before = new Map<string, number>();
    for (const { sessionId } of [alpha, beta, ended]) before.set(sessionId, (await readable(daemon, oldSecret, sessionId)).plain.length);

    const rotated = await daemon.box.cli(["daemon", "qr", "--rotate", "--json"]);
    expect(rotated.code).toBe(0);
    const answer = JSON.parse(rotated.stdout);
    expect(answer.rotation).toEqual({
      rewrapped: { sessions: 3, machines: 1 },
      legacy: [{ scope: "session", id: legacy.id }],
      unreadable: [],
    });
    const oldToken = daemon.token;
    daemon.rereadSecret();
    expect(daemon.token).not.toBe(oldToken);
    expect(answer.key).toBe(Buffer.from(daemon.secret).toString("base64"));

    // The old QR's key fails clearly; the new one passes the probe.
    const stale = await daemon.api("/v1/pairing/check", { headers: { authorization: `Bearer ${oldToken}` } });
    expect(stale).toMatchObject({ status: 401, body: { code: "key-rotated", error: expect.stringContaining("qr --rotate") } });
    const wrong = await daemon.api("/v1/pairing/check", { headers: { authorization: `Bearer ${p2pAuthToken(new Uint8Array(32))}` } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBeUndefined();
    const check = await daemon.api("/v1/pairing/check");
    expect(check).toMatchObject({ status: 200, body: { ok: true, machineId: expect.any(String) } });
    await expect(daemon.connect({ token: oldToken })).rejects.toThrow(/qr --rotate/);

    // Every message of every session, running or ended, opens with the new secret.
    for (const { sessionId, directory } of [alpha, beta, ended]) {
      const now = await readable(daemon, daemon.secret, sessionId);
      expect(now.metadata).toMatchObject({ path: directory });
      expect(now.plain.length).toBe(before.get(sessionId)!);
      expect(now.plain.every((p) => p !== null)).toBe(true);
    }
    const [machine] = (await daemon.api("/v1/machines")).body as Array<{ metadata: string; dataEncryptionKey: string }>;
    expect(createNativeCipher(daemon.secret, machine!.dataEncryptionKey).decrypt(machine!.metadata)).toMatchObject({ remcliHomeDir: daemon.box.home });

    // The running sessions rejoined with the new token and answer a re-paired phone.
    const phone = await daemon.connect();
    for (const { sessionId } of [alpha, beta]) {
      const session = await phoneSession(daemon, phone, sessionId);
      const at = await session.send("after the rotation");
      await session.waitFor("the echo after rotation", (m) => assistantText(m) === "echo: after the rotation", at, 15_000);
    }
    // A new session after the rotation works as before.
    const gamma = await spawnFromPhone(daemon, "gamma");
    const at = await gamma.session.send("fresh");
    await gamma.session.waitFor("the echo", (m) => assistantText(m) === "echo: fresh", at);
  });

  test("a rotation cut short before its re-wrap (the old secret still beside the new) is finished at the next start", async () => {
    await using daemon = await startDaemon();
    const session = await keyedSession(daemon);
    const stored = session.cipher.encrypt({ role: "user", content: { type: "text", text: "kept" } });
    const phone = await daemon.connect();
    expect((await phone.emitWithAck("message", { sid: session.id, message: stored })).ok).toBe(true);
    expect((await daemon.box.cli(["daemon", "stop"])).code).toBe(0);
    // As a crash would leave it: the new secret written, the keys still wrapped for the old one.
    const previous = join(daemon.box.home, "p2p.secret.previous");
    writeFileSync(previous, daemon.secret, { mode: 0o600 });
    writeFileSync(join(daemon.box.home, "p2p.secret"), randomBytes(32), { mode: 0o600 });
    await daemon.restart();
    expect(existsSync(previous)).toBe(false);
    const { plain } = await readable(daemon, daemon.secret, session.id);
    expect(plain).toEqual([{ role: "user", content: { type: "text", text: "kept" } }]);
  });
});
