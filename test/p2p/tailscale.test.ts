import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "bun:test";
import { fakeTailscale } from "../helpers/fake-tailscale.ts";
import { createSandbox, statusJson } from "../helpers/sandbox.ts";

describe("daemon start --tailscale", () => {
  test("serves HTTPS on the MagicDNS name through `tailscale serve`, pairs with it first, accepts its origin, and turns it off on stop", async () => {
    await using box = createSandbox();
    const tailscale = fakeTailscale(box.home);
    const started = await box.cli(["daemon", "start", "--host", "127.0.0.1", "--tailscale", "--no-qr"], { env: tailscale.env });
    expect(started.code).toBe(0);
    expect(started.stderr).toBe("");
    const port = Number(statusJson(await box.cli(["daemon", "status", "--json"])).p2pPort);
    expect(tailscale.calls()).toEqual([
      ["status", "--json"],
      ["serve", "--bg", "--https=443", `http://127.0.0.1:${port}`],
    ]);
    expect(started.stdout).toContain("* https://laptop.tail1234.ts.net  (tailscale https)");

    const qr = JSON.parse((await box.cli(["daemon", "qr", "--json"])).stdout);
    expect(qr).toMatchObject({ host: "https://laptop.tail1234.ts.net", port: 0, alt: [`http://127.0.0.1:${port}`] });
    expect(qr.url.startsWith("https://laptop.tail1234.ts.net/terminal/connect#")).toBe(true);
    // tailscaled forwards the page's requests here, Origin and all.
    const health = await fetch(`http://127.0.0.1:${port}/health`, { headers: { origin: "https://laptop.tail1234.ts.net" } });
    expect(health.status).toBe(200);

    expect((await box.cli(["daemon", "stop"])).code).toBe(0);
    expect(tailscale.calls().at(-1)).toEqual(["serve", "--https=443", "off"]);
  });

  test("without the tailscale CLI it says so plainly and serves the LAN", async () => {
    await using box = createSandbox();
    const empty = join(box.home, "empty-bin");
    mkdirSync(empty);
    const started = await box.cli(["daemon", "start", "--host", "127.0.0.1", "--tailscale", "--no-qr"], { env: { PATH: empty } });
    expect(started.code).toBe(0);
    expect(started.stderr).toContain("remcli: --tailscale: the tailscale CLI is not on PATH");
    const status = statusJson(await box.cli(["daemon", "status", "--json"]));
    expect(status.addresses).toEqual([{ kind: "bound", url: `http://127.0.0.1:${status.p2pPort}` }]);
    expect(status.stateReason).toContain("tailscale unavailable");
  });

  test("a `tailscale serve` that refuses is reported with its own words", async () => {
    await using box = createSandbox();
    const tailscale = fakeTailscale(box.home, { serveFails: "Serve is not enabled on your tailnet." });
    const started = await box.cli(["daemon", "start", "--host", "127.0.0.1", "--tailscale", "--no-qr"], { env: tailscale.env });
    expect(started.code).toBe(0);
    expect(started.stderr).toContain("remcli: --tailscale: `tailscale serve` refused (Serve is not enabled on your tailnet.)");
  });
});
