import { networkInterfaces } from "node:os";
import { describe, expect, test } from "bun:test";
import { createReach } from "../../src/p2p/reach.ts";
import { fakeTailscale } from "../helpers/fake-tailscale.ts";
import { startDaemon } from "../helpers/p2p.ts";
import { createSandbox, statusJson } from "../helpers/sandbox.ts";

describe("every way in: the addresses in the pairing", () => {
  test("--host ::1 is bracketed everywhere a URL is built, and the daemon answers there", async () => {
    await using box = createSandbox();
    const started = await box.cli(["daemon", "start", "--host", "::1"]);
    expect(started.code).toBe(0);
    const status = statusJson(await box.cli(["daemon", "status", "--json"]));
    const port = Number(status.p2pPort);
    const base = `http://[::1]:${port}`;
    expect(started.stdout).toContain(`p2p      ${base}`);
    expect(started.stdout).toContain(`url   ${base}/terminal/connect#`);
    expect(status.addresses).toEqual([{ kind: "bound", url: base }]);
    const qr = JSON.parse((await box.cli(["daemon", "qr", "--json"])).stdout);
    expect(qr).toMatchObject({ host: "::1", port });
    expect(qr.url.startsWith(`${base}/terminal/connect#`)).toBe(true);
    expect(qr.alt).toBeUndefined();
    expect((await fetch(`${base}/health`, { headers: { origin: base } })).status).toBe(200);
    expect((await box.cli(["daemon", "stop"])).code).toBe(0);
  });

  test("status --json and qr list every address, the QR's first; REMCLI_ADVERTISE adds more", async () => {
    await using daemon = await startDaemon({ REMCLI_ADVERTISE: "127.0.0.2, http://alias.example:8080,not a host" });
    const expected = [
      { kind: "bound", url: `http://127.0.0.1:${daemon.port}` },
      { kind: "advertised", url: `http://127.0.0.2:${daemon.port}` },
      { kind: "advertised", url: "http://alias.example:8080" },
    ];
    expect(statusJson(await daemon.box.cli(["daemon", "status", "--json"])).addresses).toEqual(expected);
    const human = await daemon.box.cli(["daemon", "qr"]);
    expect(human.stdout).toContain(`* http://127.0.0.1:${daemon.port}  (bound address)`);
    expect(human.stdout).toContain(`  http://alias.example:8080  (REMCLI_ADVERTISE)`);
    const qr = JSON.parse((await daemon.box.cli(["daemon", "qr", "--json"])).stdout);
    expect(qr).toMatchObject({ mode: "p2p", host: "127.0.0.1", port: daemon.port, v: 1, alt: expected.slice(1).map((e) => e.url) });
  });

  test("each of our own addresses passes the Origin check, with CORS so a page on one can call another; others are refused", async () => {
    await using daemon = await startDaemon({ REMCLI_ADVERTISE: "127.0.0.2" });
    const ours = `http://127.0.0.2:${daemon.port}`;
    const preflight = await fetch(`${daemon.base}/v1/sessions`, {
      method: "OPTIONS",
      headers: { origin: ours, "access-control-request-method": "GET", "access-control-request-headers": "authorization", "access-control-request-private-network": "true" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(ours);
    expect(preflight.headers.get("access-control-allow-headers")).toContain("authorization");
    expect(preflight.headers.get("access-control-allow-private-network")).toBe("true");
    const read = await fetch(`${daemon.base}/v1/sessions`, { headers: { origin: ours, authorization: `Bearer ${daemon.token}` } });
    expect(read.status).toBe(200);
    expect(read.headers.get("access-control-allow-origin")).toBe(ours);
    // The page's CSP lets it connect to each address, REST and WebSocket.
    const csp = (await fetch(`${daemon.base}/`)).headers.get("content-security-policy")!;
    expect(csp).toContain(`${ours} ws://127.0.0.2:${daemon.port}`);

    for (const foreign of [`http://127.0.0.9:${daemon.port}`, `http://127.0.0.2:${daemon.port + 1}`, `https://127.0.0.2:${daemon.port}`, "http://evil.example"]) {
      const refused = await fetch(`${daemon.base}/v1/sessions`, { method: "OPTIONS", headers: { origin: foreign, "access-control-request-method": "GET" } });
      expect(refused.status).toBe(403);
      expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    }
  });

  test("a daemon on every interface lists tailscale's addresses and its MagicDNS name from `tailscale status --json`", async () => {
    await using box = createSandbox();
    const tailscale = fakeTailscale(box.home);
    const reach = createReach({
      bindHost: () => "::",
      port: () => 40137,
      tunnelUrl: () => null,
      tailscaleHttpsUrl: () => null,
      advertised: [],
      tailscaleBinary: `${tailscale.env.PATH.split(":")[0]}/tailscale`,
    });
    await reach.refresh();
    const addresses = reach.addresses();
    expect(addresses).toContainEqual({ kind: "tailscale", url: "http://100.101.102.103:40137" });
    expect(addresses).toContainEqual({ kind: "tailscale", url: "http://[fd7a:115c:a1e0::53]:40137" });
    expect(addresses).toContainEqual({ kind: "magicdns", url: "http://laptop.tail1234.ts.net:40137" });
    expect(addresses.findIndex((a) => a.kind === "magicdns")).toBeGreaterThan(addresses.findIndex((a) => a.kind === "tailscale"));
    expect(reach.ownOrigins().has("http://laptop.tail1234.ts.net:40137")).toBe(true);
    expect(tailscale.calls()).toEqual([["status", "--json"]]);

    // Without the CLI: none of it, and nothing fails.
    const bare = createReach({ bindHost: () => "::", port: () => 40137, tunnelUrl: () => null, tailscaleHttpsUrl: () => null, advertised: [], tailscaleBinary: null });
    await bare.refresh();
    expect(bare.addresses().some((a) => a.kind === "magicdns")).toBe(false);
  });

  test("listening on :: lists the LAN IPv6 addresses bracketed, never link-local ones; on 0.0.0.0 no IPv6 at all", () => {
    const base = { port: () => 40137, tunnelUrl: () => null, tailscaleHttpsUrl: () => null, advertised: [], tailscaleBinary: null };
    const dual = createReach({ ...base, bindHost: () => "::" }).addresses();
    const v6 = Object.values(networkInterfaces())
      .flat()
      .filter((entry) => entry && !entry.internal && entry.family === "IPv6" && !/^fe[89ab]/i.test(entry.address))
      .map((entry) => `http://[${entry!.address}]:40137`);
    for (const url of v6) expect(dual.map((a) => a.url)).toContain(url);
    expect(dual.some((a) => /\[fe[89ab]/i.test(a.url))).toBe(false);
    expect(dual.filter((a) => a.url.includes("[")).every((a) => a.kind === "lan6" || a.kind === "tailscale")).toBe(true);
    const v4only = createReach({ ...base, bindHost: () => "0.0.0.0" }).addresses();
    expect(v4only.some((a) => a.url.includes("["))).toBe(false);
    expect(v4only.length).toBeGreaterThan(0);
  });
});
