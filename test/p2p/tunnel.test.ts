import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { p2pAuthToken } from "../../src/crypto/p2p-token.ts";
import { startFakeNgrok, type FakeNgrok } from "../fixtures/fake-ngrok/server.ts";
import { createSandbox, eventually, statusJson, type Sandbox } from "../helpers/sandbox.ts";

// The real @ngrok/ngrok SDK, pointed at a local fake that speaks ngrok's agent protocol.
const START = ["daemon", "start", "--host", "127.0.0.1", "--tunnel", "--no-qr"];

function sandboxFor(fake: FakeNgrok, authtoken: string): Sandbox {
  return createSandbox({
    NGROK_AUTHTOKEN: authtoken,
    REMCLI_NGROK_SERVER_ADDR: fake.serverAddr,
    REMCLI_NGROK_CA_CERT: fake.caPath,
  });
}

describe("ngrok tunnel", () => {
  test("--tunnel serves the daemon through ngrok, pairs with the tunnel URL, and closes the session on stop", async () => {
    await using fake = startFakeNgrok({ validTokens: ["fake-token"] });
    await using box = sandboxFor(fake, "fake-token");

    const started = await box.cli(START);
    expect(started.code).toBe(0);
    expect(started.stderr).not.toContain("tunnel");
    expect(fake.tunnels).toHaveLength(1);
    const tunnel = fake.tunnels[0]!;
    expect(tunnel.url).toMatch(/^https:\/\/fake-\d+\.ngrok\.test$/);
    expect(tunnel.session).toMatchObject({ authtoken: "fake-token", clientType: "ngrok-javascript", refused: false });
    expect(tunnel.session.heartbeats).toBeGreaterThan(0);
    expect(started.stdout).toContain(`tunnel ${tunnel.url}`);

    const status = statusJson(await box.cli(["daemon", "status", "--json"]));
    expect(status).toMatchObject({ running: true, tunnelUrl: tunnel.url });
    const pairing = JSON.parse((await box.cli(["daemon", "qr", "--json"])).stdout);
    expect(pairing).toMatchObject({ mode: "p2p", host: tunnel.url, port: 0, v: 1 });
    expect(pairing.url.startsWith(`${tunnel.url}/terminal/connect#`)).toBe(true);

    // "The internet" side of the fake: every byte crosses the SDK's session to our port.
    const health = await fetch(`${fake.publicUrl}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok", mode: "p2p" });
    const token = p2pAuthToken(new Uint8Array(readFileSync(join(box.home, "p2p.secret"))));
    const listed = await fetch(`${fake.publicUrl}/v1/sessions`, { headers: { authorization: `Bearer ${token}` } });
    expect(listed.status).toBe(200);
    const refused = await fetch(`${fake.publicUrl}/v1/sessions`, { headers: { authorization: "Bearer nope" } });
    expect(refused.status).toBe(401);

    expect(tunnel.session.isClosed).toBe(false);
    expect((await box.cli(["daemon", "stop"])).code).toBe(0);
    await eventually("the ngrok session to close", () => (tunnel.session.isClosed ? true : undefined), 5_000);
    expect(tunnel.unbound).toBe(true);
    expect((await fetch(`${fake.publicUrl}/health`)).status).toBe(404);
  });

  test("ngrok refusing the authtoken leaves the daemon on the LAN and says ngrok refused", async () => {
    await using fake = startFakeNgrok({ validTokens: ["fake-token"] });
    await using box = sandboxFor(fake, "revoked-token");

    const started = await box.cli(START);
    expect(started.code).toBe(0);
    expect(started.stderr).toContain("ngrok refused the tunnel");
    expect(started.stderr).toContain("ERR_NGROK_105");
    expect(started.stderr).toContain("serving the LAN only");
    expect(fake.sessions[0]).toMatchObject({ authtoken: "revoked-token", refused: true });
    expect(fake.tunnels).toHaveLength(0);

    const status = statusJson(await box.cli(["daemon", "status", "--json"]));
    expect(status).toMatchObject({ running: true, tunnelUrl: null });
    expect(String(status.stateReason)).toContain("ngrok refused the tunnel");
    expect((await fetch(`http://127.0.0.1:${status.p2pPort}/health`)).status).toBe(200);
  });

  test("an ngrok server that cannot be reached leaves the daemon on the LAN and says so", async () => {
    // Port 1 needs root to bind: nothing answers there.
    await using box = createSandbox({ NGROK_AUTHTOKEN: "fake-token", REMCLI_NGROK_SERVER_ADDR: "127.0.0.1:1" });

    const started = await box.cli(START);
    expect(started.code).toBe(0);
    expect(started.stderr).toContain("could not reach ngrok");
    expect(started.stderr).toContain("serving the LAN only");
    const status = statusJson(await box.cli(["daemon", "status", "--json"]));
    expect(status).toMatchObject({ running: true, tunnelUrl: null });
    expect((await fetch(`http://127.0.0.1:${status.p2pPort}/health`)).status).toBe(200);
  });
});
