import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createControlClient } from "../../src/daemon/control/client.ts";
import { signRequest } from "../../src/daemon/control/signing.ts";
import { createSandbox, statusJson, type Sandbox } from "../helpers/sandbox.ts";

let box: Sandbox;
let port: number;
let key: Uint8Array;

beforeAll(async () => {
  box = createSandbox();
  expect((await box.cli(["daemon", "start"])).code).toBe(0);
  port = Number(statusJson(await box.cli(["daemon", "status", "--json"])).controlPort);
  key = new Uint8Array(readFileSync(join(box.home, "control.key")));
});
afterAll(async () => {
  await box[Symbol.asyncDispose]();
});

type Envelope = { ok: boolean; data?: unknown; error?: { code: string; message: string } };

async function post(path: string, body: string, headers: Record<string, string>) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  return { status: response.status, envelope: (await response.json()) as Envelope };
}

const signed = (path: string, body = "{}", now = Date.now(), withKey = key) =>
  signRequest(withKey, { method: "POST", path, body }, now);

function expectRefused(result: { status: number; envelope: Envelope }, why: string) {
  expect(result.status).toBe(401);
  expect(result.envelope.ok).toBe(false);
  expect(result.envelope.error?.code).toBe("unauthorized");
  expect(result.envelope.error?.message).toContain(why);
}

describe("control API", () => {
  test("a signed status request is answered in the envelope", async () => {
    const result = await post("/status", "{}", signed("/status"));
    expect(result.status).toBe(200);
    expect(result.envelope).toMatchObject({ ok: true, data: { state: "running", controlPort: port } });
  });

  test("an unsigned request is refused", async () => {
    expectRefused(await post("/status", "{}", {}), "missing signature");
  });

  test("a request signed with another key is refused", async () => {
    const other = new Uint8Array(32).fill(7);
    expectRefused(await post("/status", "{}", signed("/status", "{}", Date.now(), other)), "bad signature");
  });

  test("a signature over another body is refused", async () => {
    expectRefused(await post("/stop", "{}", signed("/stop", '{"replacedBy":"9.9.9"}')), "bad signature");
  });

  test("a replayed control request is refused", async () => {
    const headers = signed("/status");
    expect((await post("/status", "{}", headers)).status).toBe(200);
    expectRefused(await post("/status", "{}", headers), "replayed nonce");
  });

  test("a timestamp more than 30 s off is refused", async () => {
    expectRefused(await post("/status", "{}", signed("/status", "{}", Date.now() - 31_000)), "stale timestamp");
    expectRefused(await post("/status", "{}", signed("/status", "{}", Date.now() + 31_000)), "stale timestamp");
  });

  test("a Host other than the loopback address it listens on is refused", async () => {
    expectRefused(await post("/status", "{}", { ...signed("/status"), host: `localhost:${port}` }), "Host");
    expectRefused(await post("/status", "{}", { ...signed("/status"), host: `evil.example:${port}` }), "Host");
  });

  test("any browser Origin is refused, even a loopback one", async () => {
    expectRefused(await post("/status", "{}", { ...signed("/status"), origin: `http://127.0.0.1:${port}` }), "Origin");
    expectRefused(await post("/status", "{}", { ...signed("/status"), origin: "https://evil.example" }), "Origin");
  });

  test("a body that does not match the route's schema is a bad_request", async () => {
    const body = JSON.stringify({ replacedBy: 42 });
    const result = await post("/stop", body, signed("/stop", body));
    expect(result.status).toBe(400);
    expect(result.envelope.error?.code).toBe("bad_request");
    const notJson = "{nope";
    const broken = await post("/status", notJson, signed("/status", notJson));
    expect(broken.envelope.error?.code).toBe("bad_request");
  });

  test("an oversized body is refused by the server before it is read", async () => {
    const body = JSON.stringify({ padding: "x".repeat(100_000) });
    const response = await fetch(`http://127.0.0.1:${port}/status`, { method: "POST", headers: signed("/status", body), body });
    expect(response.status).toBe(413);
  });

  test("a signed request to an unknown route is not_found", async () => {
    const result = await post("/nope", "{}", signed("/nope"));
    expect(result.status).toBe(404);
    expect(result.envelope.error?.code).toBe("not_found");
  });

  test("stopping a session nobody runs is a typed not_found, and the list stays empty", async () => {
    const client = createControlClient({ port, key });
    expect(await client.call("stopSession", { sessionId: "nobody" })).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect(await client.call("list", {})).toEqual({ ok: true, data: { sessions: [] } });
  });

  test("a session says its version at /session-started; one that says none, or an older one, is listed as on an older binary", async () => {
    const client = createControlClient({ port, key });
    const status = await client.call("status", {});
    if (!status.ok) throw new Error(JSON.stringify(status));
    const daemonVersion = status.data.version;
    // Three live processes of ours stand in for session processes, killed at the end by pid.
    const stand = () => Bun.spawn(["sleep", "30"], { stdout: "ignore", stderr: "ignore" });
    const [current, silent, older] = [stand(), stand(), stand()];
    try {
      const said = (sessionId: string, pid: number, version?: string) =>
        client.call("sessionStarted", { sessionId, pid, startedBy: "terminal", ...(version ? { version, protocol: 1 } : {}) });
      expect(await said("s-current", current.pid, daemonVersion)).toEqual({ ok: true, data: { tracked: true, daemonVersion, olderBinary: false } });
      expect(await said("s-silent", silent.pid)).toMatchObject({ ok: true, data: { tracked: true, olderBinary: true } });
      expect(await said("s-older", older.pid, "0.0.1")).toMatchObject({ ok: true, data: { olderBinary: true } });
      // Not semver: still listed, as another binary than the daemon's.
      expect(await said("s-odd", silent.pid, "not a version")).toMatchObject({ ok: true, data: { olderBinary: true } });
      expect(await said("s-silent", silent.pid)).toMatchObject({ ok: true, data: { olderBinary: true } });
      const listed = await client.call("list", {});
      if (!listed.ok) throw new Error(JSON.stringify(listed));
      const bySession = Object.fromEntries(listed.data.sessions.map((s) => [s.sessionId, s]));
      expect(bySession["s-current"]).toMatchObject({ version: daemonVersion, olderBinary: false, alive: true });
      expect(bySession["s-silent"]).toMatchObject({ version: null, olderBinary: true });
      expect(bySession["s-older"]).toMatchObject({ version: "0.0.1", olderBinary: true });
      // A level below zero is no level at all: refused as a bad request, like any unknown shape.
      expect(await client.call("sessionStarted", { sessionId: "s-bad", pid: current.pid, startedBy: "terminal", protocol: -1 })).toMatchObject({
        ok: false,
        error: { code: "bad_request" },
      });
    } finally {
      for (const child of [current, silent, older]) child.kill("SIGKILL");
      for (const [sessionId, child] of [["s-current", current], ["s-silent", silent], ["s-older", older]] as const) {
        await child.exited;
        await client.call("sessionEnded", { sessionId, pid: child.pid, reason: "test over" });
      }
    }
  });

  test("the typed client returns not_running as a value when nothing listens", async () => {
    const closed = Bun.serve({ port: 0, fetch: () => new Response("") });
    const unusedPort = closed.port ?? 1;
    closed.stop(true);
    const result = await createControlClient({ port: unusedPort, key }).call("status", {});
    expect(result).toMatchObject({ ok: false, error: { code: "not_running" } });
  });
});
