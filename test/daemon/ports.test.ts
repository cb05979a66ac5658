import { describe, expect, test } from "bun:test";
import { createSandbox, statusJson, type Sandbox } from "../helpers/sandbox.ts";

/** A listener of this test process on loopback: a port someone else holds. */
function occupy(port = 0, hostname = "127.0.0.1") {
  const listener = Bun.listen({ hostname, port, socket: { data() {} } });
  return { port: listener.port, [Symbol.dispose]: () => listener.stop(true) };
}

async function p2pPort(box: Sandbox): Promise<number> {
  return Number(statusJson(await box.cli(["daemon", "status", "--json"])).p2pPort);
}

describe("ports and hosts that do not move silently", () => {
  test("an explicit --port that is taken fails at once, naming the process that holds it", async () => {
    await using box = createSandbox();
    using held = occupy();
    const started = Date.now();
    const result = await box.cli(["daemon", "start", "--host", "127.0.0.1", "--port", String(held.port), "--no-qr"]);
    expect(result.code).toBe(1);
    // The sandbox waits up to 15 s for "ready": this answer must not be that wait.
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(result.stderr).toContain(`port ${held.port} is taken, held by pid ${process.pid} (`);
    expect(result.stderr).toContain("pick another --port");
    expect(result.stderr).not.toContain("not ready");
    expect(box.row()).toMatchObject({ state: "stopped", state_reason: expect.stringContaining(`port ${held.port} is taken`) });
  });

  test("--host is remembered like the port; a remembered port that is taken moves, and start says loudly that phones must scan again", async () => {
    await using box = createSandbox();
    expect((await box.cli(["daemon", "start", "--host", "::1", "--no-qr"])).code).toBe(0);
    const first = await p2pPort(box);
    expect((await box.cli(["daemon", "stop"])).code).toBe(0);
    using held = occupy(first, "::1");
    const again = await box.cli(["daemon", "start", "--no-qr"]);
    expect(again.code).toBe(0);
    const now = await p2pPort(box);
    expect(now).not.toBe(first);
    // Started without --host: it serves on the one given last time.
    expect(statusJson(await box.cli(["daemon", "status", "--json"])).addresses).toEqual([{ kind: "bound", url: `http://[::1]:${now}` }]);
    expect(again.stderr).toContain(`WARNING: port ${first}, which phones paired with this daemon know, is taken (held by pid ${process.pid} (`);
    expect(again.stderr).toContain(`now listens on port ${now}: every paired phone must scan the new QR`);
    expect(box.row()).toMatchObject({ state_reason: expect.stringContaining(`p2p port moved from ${first} to ${now}`) });
    void held;
  });

  test("an address not on this machine, or a name that does not resolve, is reported at once with its cause, never as a taken port", async () => {
    await using box = createSandbox();
    for (const [host, cause] of [
      ["203.0.113.7", "--host 203.0.113.7 is not an address of this machine (EADDRNOTAVAIL); its addresses are 127.0.0.1"],
      ["no-such-host.invalid", "cannot resolve --host no-such-host.invalid ("],
    ] as const) {
      const started = Date.now();
      const result = await box.cli(["daemon", "start", "--host", host, "--no-qr"]);
      expect(result.code).toBe(1);
      expect(Date.now() - started).toBeLessThan(8_000);
      expect(result.stderr).toContain(cause);
      expect(result.stderr).not.toMatch(/taken|not ready/);
    }
    // A bad --host is not remembered: the next start serves everywhere... on loopback here.
    expect((await box.cli(["daemon", "start", "--host", "127.0.0.1", "--no-qr"])).code).toBe(0);
  });

  test("start with serving flags on a running daemon says they were not applied and how; restart applies them", async () => {
    await using box = createSandbox();
    expect((await box.cli(["daemon", "start", "--host", "127.0.0.1", "--no-qr"])).code).toBe(0);
    const before = statusJson(await box.cli(["daemon", "status", "--json"]));
    using free = occupy();
    const wanted = free.port;
    free[Symbol.dispose]();
    const second = await box.cli(["daemon", "start", "--port", String(wanted), "--tunnel", "--no-qr"]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("already running");
    expect(second.stderr).toContain(`so --port ${wanted} --tunnel were not applied; \`remcli daemon restart --port ${wanted} --tunnel\` applies them`);
    // Same flags as it runs with: nothing to say.
    const same = await box.cli(["daemon", "start", "--host", "127.0.0.1", "--port", String(before.p2pPort), "--no-qr"]);
    expect(same.stderr).toBe("");

    const restarted = await box.cli(["daemon", "restart", "--port", String(wanted), "--no-qr"]);
    expect(restarted.code).toBe(0);
    expect(restarted.stdout).toContain("remcli daemon restarted");
    const after = statusJson(await box.cli(["daemon", "status", "--json"]));
    expect(after.pid).not.toBe(before.pid);
    expect(after.addresses).toEqual([{ kind: "bound", url: `http://127.0.0.1:${wanted}` }]);
  });
});
