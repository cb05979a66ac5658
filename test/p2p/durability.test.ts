import { describe, expect, test } from "bun:test";
import { collect, createSession, startDaemon } from "../helpers/p2p.ts";
import { eventually, isAlive, statusJson } from "../helpers/sandbox.ts";

describe("durability and restarts", () => {
  test("kill -9 right after acks loses nothing, five times over, and seqs continue without gaps", async () => {
    await using daemon = await startDaemon();
    const session = await createSession(daemon);
    const acked: Array<{ id: string; seq: number; c: string }> = [];
    for (let round = 0; round < 5; round++) {
      const sender = await daemon.connect({ clientType: "session-scoped", sessionId: session.id });
      const burst = await Promise.all(
        Array.from({ length: 40 }, (_, i) => {
          const c = btoa(`round ${round} message ${i}`);
          return sender.emitWithAck("message", { sid: session.id, message: c }).then((ack) => ({ ...ack, c }));
        }),
      );
      for (const ack of burst) {
        expect(ack.ok).toBe(true);
        acked.push({ id: ack.id, seq: ack.seq, c: ack.c });
      }
      sender.close();
      const pid = daemon.pid;
      process.kill(pid, "SIGKILL");
      await eventually("the daemon to die", () => (isAlive(pid) ? undefined : true));
      await daemon.restart();
    }
    const history = await daemon.api(`/v1/sessions/${session.id}/messages?limit=1000&after=0`);
    const stored = history.body.messages.map((m: { id: string; seq: number; content: { c: string } }) => ({
      id: m.id,
      seq: m.seq,
      c: m.content.c,
    }));
    expect(stored).toEqual([...acked].sort((a, b) => a.seq - b.seq));
    expect(stored.map((m: { seq: number }) => m.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });

  test("a restart keeps the port, the secret and the user seq; phones reconnect by themselves", async () => {
    await using daemon = await startDaemon();
    const { port, token } = daemon;
    const session = await createSession(daemon);
    const phone = await daemon.connect();
    const updates = collect(phone, "update");
    const sender = await daemon.connect();
    await sender.emitWithAck("message", { sid: session.id, message: "YmVmb3Jl" });
    const before = await eventually("first update", () => updates[0]);

    expect((await daemon.box.cli(["daemon", "stop"])).code).toBe(0);
    // The app fills `active ?? true` from update-machine: stopping must say offline itself.
    const offline = updates.find((u) => u.body.t === "update-machine" && u.body.active === false);
    expect(offline?.body).toEqual({ t: "update-machine", machineId: expect.any(String), active: false, activeAt: expect.any(Number) });
    await daemon.restart();
    expect(daemon.port).toBe(port);
    const [machine] = (await daemon.api("/v1/machines")).body;
    expect(machine).toMatchObject({ id: offline!.body.machineId, active: true });
    expect(machine.activeAt).toBeGreaterThanOrEqual(offline!.body.activeAt);
    expect(daemon.token).toBe(token);
    await eventually("the phone to reconnect", () => (phone.connected ? true : undefined), 10_000);
    await eventually("the sender to reconnect", () => (sender.connected ? true : undefined), 10_000);
    const ack = await sender.emitWithAck("message", { sid: session.id, message: "YWZ0ZXI=" });
    expect(ack).toMatchObject({ ok: true, seq: 2 });
    const after = await eventually("an update after the restart", () => updates.find((u) => u.body.message?.seq === 2));
    expect(after.seq).toBeGreaterThan(before.seq);
    const status = statusJson(await daemon.box.cli(["daemon", "status", "--json"]));
    expect(status).toMatchObject({ p2pPort: port, p2pHost: "127.0.0.1", tunnelUrl: null });
  });

  test("qr --rotate drops every connection and the old token stops working", async () => {
    await using daemon = await startDaemon();
    const oldToken = daemon.token;
    const phone = await daemon.connect();
    const dropped = new Promise((resolve) => phone.once("disconnect", resolve));
    const rotated = await daemon.box.cli(["daemon", "qr", "--rotate", "--json"]);
    expect(rotated.code).toBe(0);
    const pairing = JSON.parse(rotated.stdout);
    expect(pairing).toMatchObject({ mode: "p2p", host: "127.0.0.1", port: daemon.port, v: 1 });
    expect(pairing.url).toBe(
      `http://127.0.0.1:${daemon.port}/terminal/connect#${encodeURIComponent(
        JSON.stringify({ mode: "p2p", host: "127.0.0.1", port: daemon.port, key: pairing.key, v: 1 }),
      )}`,
    );
    await dropped;
    expect((await daemon.api("/v1/sessions", { headers: { authorization: `Bearer ${oldToken}` } })).status).toBe(401);
    await expect(daemon.connect({ token: oldToken })).rejects.toThrow(/Authentication failed/);
    const newToken = new Bun.CryptoHasher("sha512", Buffer.from(pairing.key, "base64")).update("p2p-auth").digest("hex");
    expect((await daemon.api("/v1/sessions", { headers: { authorization: `Bearer ${newToken}` } })).status).toBe(200);
  });

  test("daemon qr prints the URL and the manual-entry details (the QR only to a terminal, test/cli/qr.test.ts); --json the fields", async () => {
    await using daemon = await startDaemon();
    const text = await daemon.box.cli(["daemon", "qr"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`http://127.0.0.1:${daemon.port}/terminal/connect#`);
    expect(text.stdout).not.toContain("▄");
    const json = JSON.parse((await daemon.box.cli(["daemon", "qr", "--json"])).stdout);
    expect(Buffer.from(json.key, "base64")).toEqual(Buffer.from(daemon.secret));
  });

  test("--tunnel without a token or network keeps serving the LAN and says why", async () => {
    await using box = (await startDaemon()).box;
    await box.cli(["daemon", "stop"]);
    const started = await box.cli(["daemon", "start", "--host", "127.0.0.1", "--tunnel", "--no-qr"], {
      env: { NGROK_AUTHTOKEN: "" },
    });
    expect(started.code).toBe(0);
    expect(started.stderr).toContain("no NGROK_AUTHTOKEN is set; serving the LAN only");
    expect(statusJson(await box.cli(["daemon", "status", "--json"]))).toMatchObject({ running: true, tunnelUrl: null });
    expect((await fetch(`http://127.0.0.1:${statusJson(await box.cli(["daemon", "status", "--json"])).p2pPort}/health`)).status).toBe(200);

    // With a token but no way to reach ngrok (this machine has no network), the real client fails at once.
    await box.cli(["daemon", "stop"]);
    const offline = await box.cli(["daemon", "start", "--host", "127.0.0.1", "--tunnel", "--no-qr"], {
      env: { NGROK_AUTHTOKEN: "not-a-real-token" },
    });
    expect(offline.code).toBe(0);
    expect(offline.stderr).toMatch(/could not reach ngrok|ngrok refused the tunnel/);
    expect(offline.stderr).toContain("serving the LAN only");
  });
});
