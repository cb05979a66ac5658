import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createHash, generateKeyPairSync, randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { io, type Socket } from "socket.io-client";
import pkg from "../../package.json" with { type: "json" };
import { p2pAuthToken } from "../../src/crypto/p2p-token.ts";
import { createControlClient } from "../../src/daemon/control/client.ts";
import { readSecret } from "../../src/shared/secret-file.ts";
import { identityProof } from "../../src/update/identity.ts";
import { keyIdOf, publicKeyOf, signRelease } from "../../src/update/release-signature.ts";
import { createTestCerts, type TestCerts } from "../fixtures/fake-ngrok/certs.ts";
import { installFakeServiceManagers } from "../fixtures/fake-service-manager/install.ts";
import { installedBinary } from "../helpers/installed.ts";
import { createSandbox, eventually, isAlive, processesWithHome, type Sandbox } from "../helpers/sandbox.ts";

const ROOT = join(import.meta.dir, "..", "..");
/** A is what `npm run build` makes, with no signing key; B a release signed by the test key. */
const A = "1.0.0-test-a";
const B = "1.0.0-test-b";
const releaseKey = generateKeyPairSync("ed25519").privateKey;
const releaseKeyId = keyIdOf(publicKeyOf(releaseKey));

let builds = "";
let buildError: string | null = null;
let certs: TestCerts | null = null;

/** Builds version A and B once for the file, through build.ts as a release would, and the test CA. */
beforeAll(() => {
  builds = mkdtempSync(join(tmpdir(), "remcli-update-builds-"));
  const keyFile = join(builds, "release.key");
  writeFileSync(keyFile, releaseKey.export({ format: "pem", type: "pkcs8" }), { mode: 0o600 });
  for (const [version, sign] of [[A, []], [B, ["--sign-key", keyFile]]] as const) {
    const out = Bun.spawnSync([process.execPath, join(ROOT, "build.ts"), "--outdir", join(builds, version), ...sign], {
      env: { ...process.env, REMCLI_VERSION: version },
      stdout: "pipe",
      stderr: "pipe",
    });
    if (out.exitCode !== 0) buildError = `build.ts failed: ${out.stderr.toString().trim()}`;
  }
  certs = createTestCerts();
  // Two builds take ~6 s on an idle 2-core machine, but far longer on a shared, loaded one.
}, 180_000);
afterAll(() => {
  rmSync(builds, { recursive: true, force: true });
  certs?.[Symbol.dispose]();
});

const binaryOf = (version: string) => join(builds, version, "remcli");

/** An installed remcli: its own bin folder and home, every process it starts killed at the end. */
function installation(version: string) {
  // Bun honours NODE_EXTRA_CA_CERTS, so the binary trusts the test CA as a user's private mirror would be trusted.
  const { box, bin, install, run, status } = installedBinary(binaryOf(version), { REMCLI_UPDATE_CHECK_MS: "100", REMCLI_HEARTBEAT_MS: "200", NODE_EXTRA_CA_CERTS: certs!.caPath });
  /** What an installer does: the new file is written beside and renamed over, never rewritten in place. */
  const place = (source: string) => {
    const staged = join(bin, ".incoming");
    copyFileSync(source, staged);
    chmodSync(staged, 0o755);
    renameSync(staged, install);
  };
  return { box, install, run, status, place };
}

/** Files served over https (the test CA) and plain http on 127.0.0.1; `hits` records every request. */
function mirror(files: Record<string, Uint8Array<ArrayBuffer> | string>) {
  const hits: string[] = [];
  let httpPort = 0;
  const respond = (scheme: string) => (request: Request): Response => {
    const { pathname } = new URL(request.url);
    hits.push(`${scheme} ${pathname}`);
    const moved = /^\/moved(\/.*)$/.exec(pathname)?.[1];
    if (moved) return new Response(null, { status: 302, headers: { location: moved } });
    const toHttp = /^\/to-http(\/.*)$/.exec(pathname)?.[1];
    if (toHttp) return Response.redirect(`http://127.0.0.1:${httpPort}${toHttp}`, 302);
    const body = files[pathname];
    return body === undefined ? new Response("not found", { status: 404 }) : new Response(body);
  };
  const http = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: respond("http") });
  httpPort = http.port!;
  const https = Bun.serve({ port: 0, hostname: "127.0.0.1", tls: { cert: certs!.certPem, key: certs!.keyPem }, fetch: respond("https") });
  return {
    https: `https://127.0.0.1:${https.port}`,
    http: `http://127.0.0.1:${http.port}`,
    hits,
    [Symbol.asyncDispose]: async () => {
      http.stop(true);
      https.stop(true);
    },
  };
}

const sha256 = (bytes: Buffer | string) => createHash("sha256").update(bytes).digest("hex");

/** A shell script that answers every question with a version line, as the old check wanted. */
const VERSION_SCRIPT = "#!/bin/sh\necho 9.9.9\n";

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
    if (buildError) throw new Error(buildError); // the host build works offline: a failed one is a failure
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

  test("a file that only prints version lines leaves the old daemon running, and it does not retry that file", async () => {
    if (buildError) throw new Error(buildError); // the host build works offline: a failed one is a failure
    const it = installation(A);
    await using _box = it.box;
    expect((await it.run(["daemon", "start", "--host", "127.0.0.1", "--no-qr"])).code).toBe(0);
    const before = await it.status();
    // Answers `--version` and a bare `daemon preflight` the way remcli does, and cannot run anything.
    const broken = join(it.box.home, "broken");
    writeFileSync(broken, `#!/bin/sh\nif [ "$1" = --version ]; then echo 9.9.9; exit 0; fi\necho "ok 9.9.9"\n`);
    it.place(broken);

    const rejected = () => readFileSync(join(it.box.home, "logs", "daemon.log"), "utf8").split("\n").filter((l) => l.includes("new binary rejected"));
    await eventually("the daemon to reject the file", () => (rejected().length > 0 ? true : undefined));
    await Bun.sleep(600); // several more update checks
    expect(rejected()).toHaveLength(1);
    expect(rejected()[0]).toContain("is not a remcli binary");
    expect(rejected()[0]).toContain("ok 9.9.9");
    expect(isAlive(before.pid)).toBe(true);
    const still = await Bun.spawn([binaryOf(A), "daemon", "status", "--json"], { env: it.box.env, stdout: "pipe" }).stdout;
    expect(JSON.parse(await new Response(still).text())).toMatchObject({ running: true, pid: before.pid, version: A });
  });
});

describe("an update under a login service", () => {
  test("the daemon hands over by exiting; systemd starts the new binary as the one daemon it tracks, once, with no crash recorded", async () => {
    if (buildError) throw new Error(buildError); // the host build works offline: a failed one is a failure
    const it = installation(A);
    await using _box = it.box;
    const fakes = installFakeServiceManagers(it.box.home);
    Object.assign(it.box.env, { ...fakes.env, PATH: `${fakes.bin}:${it.box.env.PATH}`, XDG_CONFIG_HOME: join(it.box.home, "config"), REMCLI_SERVICE_MANAGER: "systemd" });
    const installed = await it.run(["daemon", "install", "--host", "127.0.0.1"]);
    expect(installed.stderr).toBe("");
    expect(installed.code).toBe(0);
    expect(readFileSync(join(it.box.home, "config", "systemd", "user", "remcli.service"), "utf8")).toContain(
      `ExecStart="${it.install}" "daemon" "start-sync" "--supervised" "systemd" "--host" "127.0.0.1"`,
    );
    const before = await it.status();
    expect(before).toMatchObject({ running: true, version: A });

    const updated = await it.run(["update", "--from", binaryOf(B), "--sha256", sha256(readFileSync(binaryOf(B)))]);
    expect(updated.stderr).toBe("");
    expect(updated.stdout).toContain(`the daemon now runs version ${B}`);
    expect(updated.code).toBe(0);
    const after = await it.status();
    expect(after).toMatchObject({ running: true, version: B, p2pPort: before.p2pPort, p2pHost: "127.0.0.1", service: { enabled: true, active: true } });
    expect(after.stateReason).toBe(`running; under systemd; replaced version ${A}`);
    // The exit told systemd to start the unit again (RestartForceExitStatus), and it tracks the new daemon.
    const events = fakes.events();
    expect(events.map((e) => [e.event, e.code ?? null])).toEqual([["started", null], ["exited", 75], ["restarting", null], ["started", null]]);
    expect(events[0]!.pid).toBe(before.pid);
    expect(events.at(-1)!.pid).toBe(after.pid);
    const history = after.history.map((h: { state: string; version: string }) => `${h.state} ${h.version}`);
    expect(history.slice(0, 3)).toEqual([`running ${B}`, `starting ${B}`, `stopped ${A}`]);
    expect(history).not.toContain(`crashed ${A}`);
    expect(after.history[2].reason).toBe(`replaced by version ${B}: systemd starts it`);

    // No loop: several update checks and heartbeats later, still the one start of B, and one daemon.
    const beat = (await it.status()).lastHeartbeat;
    await eventually("two more heartbeats", async () => {
      const now = (await it.status()).lastHeartbeat;
      return now !== beat && now !== after.lastHeartbeat ? true : undefined;
    });
    expect(fakes.events()).toHaveLength(4);
    const daemons = processesWithHome(it.box.home).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("start-sync"));
    expect(daemons).toEqual([after.pid]);

    // A rollback goes the same way.
    const back = await it.run(["update", "--rollback"]);
    expect(back.stdout).toContain(`the daemon now runs version ${A}`);
    expect(fakes.events().filter((e) => e.event === "started")).toHaveLength(3);
  }, 60_000);

  test("under launchd, a binary copied over the installed one is taken over the same way: exit 75, relaunched by KeepAlive", async () => {
    if (buildError) throw new Error(buildError); // the host build works offline: a failed one is a failure
    const it = installation(A);
    await using _box = it.box;
    const fakes = installFakeServiceManagers(it.box.home);
    const userHome = join(it.box.home, "user");
    mkdirSync(userHome);
    Object.assign(it.box.env, { ...fakes.env, PATH: `${fakes.bin}:${it.box.env.PATH}`, HOME: userHome, REMCLI_SERVICE_MANAGER: "launchd" });
    expect((await it.run(["daemon", "install"])).code).toBe(0);
    const before = await it.status();
    it.place(binaryOf(B));
    const after = await eventually("version B to run", async () => {
      const status = await it.status();
      return status.running && status.version === B ? status : undefined;
    }, 15_000);
    expect(after.stateReason).toBe(`running; under launchd; replaced version ${A}`);
    expect(fakes.events().map((e) => [e.event, e.pid === before.pid || e.pid === after.pid, e.code ?? null])).toEqual([
      ["started", true, null],
      ["exited", true, 75],
      ["restarting", false, null],
      ["started", true, null],
    ]);
  }, 60_000);
});

describe("remcli update", () => {
  test("a development build takes only https with --sha256; it installs atomically, switches the daemon now; --rollback goes back", async () => {
    if (buildError) throw new Error(buildError); // the host build works offline: a failed one is a failure
    const it = installation(A);
    await using _box = it.box;
    // Slow automatic checks, so the switch below is the command's doing.
    it.box.env.REMCLI_UPDATE_CHECK_MS = "60000";
    expect((await it.run(["daemon", "start", "--host", "127.0.0.1", "--no-qr"])).code).toBe(0);
    const before = await it.status();
    const bytes = readFileSync(binaryOf(B));
    const sha = sha256(bytes);
    await using files = mirror({ "/remcli": bytes, "/remcli.sig": readFileSync(`${binaryOf(B)}.sig`), "/script": VERSION_SCRIPT });

    const plain = await it.run(["update", "--from", `${files.http}/remcli`, "--sha256", sha]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain("downloads must be https");
    const unsigned = await it.run(["update", "--from", `${files.https}/remcli`]);
    expect(unsigned.code).toBe(1);
    expect(unsigned.stderr).toContain("built without a release key (a development build)");
    expect(unsigned.stderr).toContain("give --sha256");
    const wrong = await it.run(["update", "--from", `${files.https}/remcli`, "--sha256", "0".repeat(64)]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("SHA-256 mismatch");
    // Even vouched for by its hash, a file that prints a version line is not remcli.
    const script = await it.run(["update", "--from", `${files.https}/script`, "--sha256", sha256(VERSION_SCRIPT)]);
    expect(script.code).toBe(1);
    expect(script.stderr).toContain("the new file is not a remcli binary: `daemon preflight --nonce` exited 0 and answered \"9.9.9\"");
    expect(files.hits.filter((hit) => hit.startsWith("http "))).toEqual([]);
    expect((await it.run(["--version"])).stdout.trim()).toBe(A);

    const updated = await it.run(["update", "--from", `${files.https}/remcli`, "--sha256", sha]);
    expect(updated.stderr).toBe("");
    expect(updated.stdout).toContain(`installed remcli ${B}`);
    expect(updated.stdout).toContain(`note: remcli ${B} accepts updates signed by release key ${releaseKeyId} (this one trusted none)`);
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
  }, 60_000);

  test("from source there is no binary to replace, and the command says so", async () => {
    await using box = createSandbox();
    const result = await box.cli(["update", "--from", "/nowhere"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("runs from source");
    expect((await box.cli(["update"])).code).toBe(2);
    const mixed = await box.cli(["update", "--rollback", "--sha256", "0".repeat(64)]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain("--sha256 and --signature check a new binary given with --from, not --rollback");
  });

  test("daemon preflight --nonce answers with this build's identity and a proof over the nonce; a bad nonce is a usage error", async () => {
    await using box = createSandbox();
    const nonce = "0123456789abcdef".repeat(2);
    const answered = await box.cli(["daemon", "preflight", "--nonce", nonce]);
    expect(answered.code).toBe(0);
    const answer = JSON.parse(answered.stdout);
    expect(answer).toMatchObject({ version: pkg.version, buildId: "source", releaseKey: null });
    expect(answer.proof).toBe(identityProof(nonce, { version: pkg.version, buildId: "source", releaseKey: null }));
    expect(answer.proof).not.toBe(identityProof(nonce.replace("0", "1"), { version: pkg.version, buildId: "source", releaseKey: null }));
    const bad = await box.cli(["daemon", "preflight", "--nonce", "12"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--nonce takes 32 hex digits");
  });

  test.skipIf(process.getuid?.() === 0)("an install folder the user cannot write is refused with a clear message", async () => {
    if (buildError) throw new Error(buildError); // the host build works offline: a failed one is a failure
    const it = installation(A);
    await using _box = it.box;
    chmodSync(join(it.box.home, "bin"), 0o555);
    const result = await it.run(["update", "--from", binaryOf(B)]);
    chmodSync(join(it.box.home, "bin"), 0o755);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("cannot write to");
  });
});

describe("remcli update of a signed build", () => {
  let files: ReturnType<typeof mirror>;
  let bytes: Buffer<ArrayBuffer>;
  const otherKey = generateKeyPairSync("ed25519").privateKey;

  /** B's real download and signature, and each way a download can be wrong, on one mirror. */
  beforeAll(() => {
    if (buildError) return;
    bytes = readFileSync(binaryOf(B));
    const signature = readFileSync(`${binaryOf(B)}.sig`, "utf8");
    const buildId = /^build (\w+)$/m.exec(signature)![1]!;
    // …and one that replays a well-formed answer: right shape, but not an answer to this challenge.
    const replayScript = `#!/bin/sh\necho '${JSON.stringify({ version: "9.9.9", buildId, releaseKey: null, proof: "0".repeat(64) })}'\n`;
    files = mirror({
      "/remcli": bytes,
      "/remcli.sig": signature,
      "/other-key/remcli": bytes,
      "/other-key/remcli.sig": signRelease({ version: B, buildId, sha256: sha256(bytes) }, otherKey),
      "/flipped/remcli": bytes,
      "/flipped/remcli.sig": signature.replace(/ed25519 (.)/, (_, c: string) => `ed25519 ${c === "A" ? "B" : "A"}`),
      "/appended/remcli": Buffer.concat([bytes, Buffer.from("\n")]),
      "/appended/remcli.sig": signature,
      // Scripts signed with the real key: a good signature over files that are not remcli.
      "/script/remcli": VERSION_SCRIPT,
      "/script/remcli.sig": signRelease({ version: "9.9.9", buildId: randomBytes(16).toString("hex"), sha256: sha256(VERSION_SCRIPT) }, releaseKey),
      "/replay/remcli": replayScript,
      "/replay/remcli.sig": signRelease({ version: "9.9.9", buildId, sha256: sha256(replayScript) }, releaseKey),
      "/unsigned/remcli": bytes,
    });
  });
  afterAll(() => files?.[Symbol.asyncDispose]());

  test("http, a redirect to http, another key, a broken signature, altered bytes, a signed script and no signature are refused", async () => {
    if (buildError) throw new Error(buildError); // the host build works offline: a failed one is a failure
    const it = installation(B);
    await using _box = it.box;
    const refusal = async (from: string, ...more: string[]) => {
      const result = await it.run(["update", "--from", from, ...more]);
      expect(result.code).toBe(1);
      return result.stderr;
    };

    expect(await refusal(`${files.http}/remcli`)).toContain(`refusing ${files.http}/remcli: downloads must be https`);
    expect(await refusal(`${files.https}/to-http/remcli`)).toContain(`it redirects to ${files.http}/remcli.sig, and downloads must be https`);
    expect(await refusal(`${files.https}/to-http/remcli`, "--sha256", sha256(bytes))).toContain(`it redirects to ${files.http}/remcli, and downloads must be https`);
    expect(files.hits.filter((hit) => hit.startsWith("http "))).toEqual([]);
    expect(await refusal(`${files.https}/other-key/remcli`)).toContain(`is signed by release key ${keyIdOf(publicKeyOf(otherKey))}, but this remcli trusts release key ${releaseKeyId}`);
    expect(await refusal(`${files.https}/flipped/remcli`)).toContain(`does not verify under release key ${releaseKeyId}`);
    expect(await refusal(`${files.https}/appended/remcli`)).toContain("the download is not the signed binary");
    expect(await refusal(`${files.https}/script/remcli`)).toContain("the new file is not a remcli binary: `daemon preflight --nonce` exited 0 and answered \"9.9.9\"");
    expect(await refusal(`${files.https}/replay/remcli`)).toContain("the new file is not a remcli binary: its preflight answer does not prove the challenge");
    const unsigned = await refusal(`${files.https}/unsigned/remcli`);
    expect(unsigned).toContain(`no signature for ${files.https}/unsigned/remcli: could not download ${files.https}/unsigned/remcli.sig: HTTP 404`);
    expect(unsigned).toContain("Give --signature <file|url>");
    expect(readFileSync(it.install).equals(bytes)).toBe(true);
    expect(existsSync(`${it.install}.old`)).toBe(false);
  }, 60_000);

  test("a download signed by its release key is installed, its signature found at <url>.sig or given; --sha256 alone still works", async () => {
    if (buildError) throw new Error(buildError); // the host build works offline: a failed one is a failure
    const it = installation(B);
    await using _box = it.box;
    // Through an https redirect, the signature found at `<url>.sig`.
    const signed = await it.run(["update", "--from", `${files.https}/moved/remcli`]);
    expect(signed.stderr).toBe("");
    expect(signed.stdout).toContain(`installed remcli ${B}`);
    expect(files.hits).toContain("https /moved/remcli.sig");
    expect(readFileSync(`${it.install}.old`).equals(bytes)).toBe(true);

    const copy = join(it.box.home, "remcli-download");
    copyFileSync(binaryOf(B), copy);
    const bare = await it.run(["update", "--from", copy]);
    expect(bare.stderr).toContain(`no signature for ${copy}: cannot read ${copy}.sig: ENOENT`);
    expect((await it.run(["update", "--from", copy, "--signature", `${binaryOf(B)}.sig`])).code).toBe(0);
    expect((await it.run(["update", "--from", `${files.https}/unsigned/remcli`, "--sha256", sha256(bytes)])).code).toBe(0);
    expect(readFileSync(it.install).equals(bytes)).toBe(true);
  }, 60_000);
});
