import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { io, type Socket } from "socket.io-client";
import { p2pAuthToken } from "../../src/crypto/p2p-token.ts";
import { createControlClient } from "../../src/daemon/control/client.ts";
import { readSecret } from "../../src/shared/secret-file.ts";
import { createSandbox, eventually, isAlive, type CliResult, type Sandbox } from "../helpers/sandbox.ts";

const ROOT = join(import.meta.dir, "..", "..");
const A = "1.0.0-test-a";
const B = "1.0.0-test-b";

let builds = "";
let buildError: string | null = null;

/** Builds version A and B once for the file, through build.ts as a release would. */
beforeAll(() => {
  builds = mkdtempSync(join(tmpdir(), "remcli-update-builds-"));
  for (const version of [A, B]) {
    const out = Bun.spawnSync([process.execPath, join(ROOT, "build.ts"), "--outdir", join(builds, version)], {
      env: { ...process.env, REMCLI_VERSION: version },
      stdout: "pipe",
      stderr: "pipe",
    });
    if (out.exitCode !== 0) buildError = `compiling is impossible here: ${out.stderr.toString().trim()}`;
  }
});
afterAll(() => rmSync(builds, { recursive: true, force: true }));

const binaryOf = (version: string) => join(builds, version, "remcli");

/** An installed remcli: its own bin folder and home, every process it starts killed at the end. */
function installation(version: string) {
  const box = createSandbox({ REMCLI_UPDATE_CHECK_MS: "100", REMCLI_HEARTBEAT_MS: "200" });
  const bin = join(box.home, "bin");
  mkdirSync(bin);
  const install = join(bin, "remcli");
  copyFileSync(binaryOf(version), install);
  const run = async (args: string[]): Promise<CliResult> => {
    const child = Bun.spawn([install, ...args], { env: box.env, stdout: "pipe", stderr: "pipe", stdin: "ignore" });
    const [stdout, stderr, code] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    return { code, stdout, stderr };
  };
  const status = async () => JSON.parse((await run(["daemon", "status", "--json"])).stdout);
  /** What an installer does: the new file is written beside and renamed over, never rewritten in place. */
  const place = (source: string) => {
    const staged = join(bin, ".incoming");
    copyFileSync(source, staged);
    chmodSync(staged, 0o755);
    renameSync(staged, install);
  };
  return { box, install, run, status, place };
}

function phoneOf(box: Sandbox, port: number): Socket {
  const token = p2pAuthToken(readSecret(join(box.home, "p2p.secret"))!);
  return io(`http://127.0.0.1:${port}`, {
    path: "/v1/updates",
    transports: ["websocket"],
    auth: { token },
    reconnectionDelay: 50,
    reconnectionDelayMax: 200,
  });
}

describe("a daemon that replaces itself", () => {
  test("a newer binary installed over the running one takes over ports, secret, sessions and phone", async () => {
    if (buildError) return console.warn(`skipped: ${buildError}`);
    const it = installation(A);
    await using _box = it.box;
    expect((await it.run(["daemon", "start", "--host", "127.0.0.1", "--no-qr"])).code).toBe(0);
    const before = await it.status();
    expect(before.version).toBe(A);
    const secret = readFileSync(join(it.box.home, "p2p.secret"));

    const control = createControlClient({ port: before.controlPort, key: readSecret(join(it.box.home, "control.key"))! });
    const spawned = await control.call("spawnSession", { directory: it.box.home });
    if (!spawned.ok || spawned.data.type !== "success") throw new Error(JSON.stringify(spawned));
    const sessionId = spawned.data.sessionId;

    const phone = phoneOf(it.box, before.p2pPort);
    let connects = 0;
    phone.on("connect", () => connects++);
    await eventually("the phone to connect", () => (connects === 1 ? true : undefined));

    it.place(binaryOf(B));
    const after = await eventually("version B to run", async () => {
      const status = await it.status();
      return status.running && status.version === B ? status : undefined;
    }, 15_000);
    expect(after.pid).not.toBe(before.pid);
    expect(isAlive(before.pid)).toBe(false);
    expect(after.p2pPort).toBe(before.p2pPort);
    expect(after.controlPort).toBe(before.controlPort);
    expect(readFileSync(join(it.box.home, "p2p.secret")).equals(secret)).toBe(true);
    expect(after.stateReason).toContain(`replaced version ${A}`);
    expect(after.history).toContainEqual(
      expect.objectContaining({ pid: before.pid, version: A, state: "stopped", reason: `replaced by version ${B}` }),
    );

    // The phone comes back by itself with the same token, and its message is stored.
    await eventually("the phone to reconnect", () => (connects >= 2 && phone.connected ? true : undefined), 10_000);
    const ack = await phone.emitWithAck("message", { sid: sessionId, message: "aGVsbG8=", localId: "after-update" });
    expect(ack).toMatchObject({ ok: true, localId: "after-update" });

    // The session A started is B's now.
    const listed = await createControlClient({ port: after.controlPort, key: readSecret(join(it.box.home, "control.key"))! }).call("list", {});
    expect(listed).toMatchObject({ ok: true, data: { sessions: [expect.objectContaining({ sessionId, alive: true })] } });
    expect(after.children).toContainEqual(expect.objectContaining({ sessionId, daemonPid: after.pid }));
    phone.close();
  });

  test("a broken binary leaves the old daemon running, and it does not retry that file", async () => {
    if (buildError) return console.warn(`skipped: ${buildError}`);
    const it = installation(A);
    await using _box = it.box;
    expect((await it.run(["daemon", "start", "--host", "127.0.0.1", "--no-qr"])).code).toBe(0);
    const before = await it.status();
    // Answers --version like remcli would, then cannot run anything.
    const broken = join(it.box.home, "broken");
    writeFileSync(broken, `#!/bin/sh\nif [ "$1" = --version ]; then echo 9.9.9; exit 0; fi\necho "cannot start" >&2\nexit 1\n`);
    it.place(broken);

    const rejected = () => readFileSync(join(it.box.home, "logs", "daemon.log"), "utf8").split("\n").filter((l) => l.includes("new binary rejected"));
    await eventually("the daemon to reject the file", () => (rejected().length > 0 ? true : undefined));
    await Bun.sleep(600); // several more update checks
    expect(rejected()).toHaveLength(1);
    expect(rejected()[0]).toContain("daemon preflight failed");
    expect(isAlive(before.pid)).toBe(true);
    const still = await Bun.spawn([binaryOf(A), "daemon", "status", "--json"], { env: it.box.env, stdout: "pipe" }).stdout;
    expect(JSON.parse(await new Response(still).text())).toMatchObject({ running: true, pid: before.pid, version: A });
  });
});

describe("remcli update", () => {
  test("--from a URL checks the SHA-256, installs atomically, switches the daemon now; --rollback goes back", async () => {
    if (buildError) return console.warn(`skipped: ${buildError}`);
    const it = installation(A);
    await using _box = it.box;
    // Slow automatic checks, so the switch below is the command's doing.
    it.box.env.REMCLI_UPDATE_CHECK_MS = "60000";
    expect((await it.run(["daemon", "start", "--host", "127.0.0.1", "--no-qr"])).code).toBe(0);
    const before = await it.status();
    const bytes = readFileSync(binaryOf(B));
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response(bytes) });
    await using _server = { [Symbol.asyncDispose]: async () => void server.stop(true) };
    const url = `http://127.0.0.1:${server.port}/remcli`;

    const wrong = await it.run(["update", "--from", url, "--sha256", "0".repeat(64)]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("SHA-256 mismatch");
    expect((await it.run(["--version"])).stdout.trim()).toBe(A);

    const notRemcli = join(it.box.home, "not-remcli");
    writeFileSync(notRemcli, "#!/bin/sh\necho 'hello world'\n");
    chmodSync(notRemcli, 0o755);
    const refused = await it.run(["update", "--from", notRemcli]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("not a remcli binary");

    const sha = createHash("sha256").update(bytes).digest("hex");
    const updated = await it.run(["update", "--from", url, "--sha256", sha]);
    expect(updated.stderr).toBe("");
    expect(updated.stdout).toContain(`installed remcli ${B}`);
    expect(updated.stdout).toMatch(new RegExp(`the daemon now runs version ${B.replaceAll(".", "\\.")} \\(pid \\d+; handed over in \\d+ ms\\)`));
    expect(updated.code).toBe(0);
    const after = await it.status();
    expect(after).toMatchObject({ running: true, version: B, p2pPort: before.p2pPort });
    expect(readFileSync(`${it.install}.old`).equals(readFileSync(binaryOf(A)))).toBe(true);

    const back = await it.run(["update", "--rollback"]);
    expect(back.code).toBe(0);
    expect(back.stdout).toContain(`the daemon now runs version ${A}`);
    expect((await it.status()).version).toBe(A);
    expect(readFileSync(`${it.install}.old`).equals(bytes)).toBe(true);

    // And from a local file, the way a downloaded release is installed.
    const fromFile = await it.run(["update", "--from", binaryOf(B), "--sha256", sha]);
    expect(fromFile.stdout).toContain(`the daemon now runs version ${B}`);
    expect(readFileSync(it.install).equals(bytes)).toBe(true);
  });

  test("from source there is no binary to replace, and the command says so", async () => {
    await using box = createSandbox();
    const result = await box.cli(["update", "--from", "/nowhere"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("runs from source");
    expect((await box.cli(["update"])).code).toBe(2);
  });

  test.skipIf(process.getuid?.() === 0)("an install folder the user cannot write is refused with a clear message", async () => {
    if (buildError) return console.warn(`skipped: ${buildError}`);
    const it = installation(A);
    await using _box = it.box;
    chmodSync(join(it.box.home, "bin"), 0o555);
    const result = await it.run(["update", "--from", binaryOf(B)]);
    chmodSync(join(it.box.home, "bin"), 0o755);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("cannot write to");
  });
});
