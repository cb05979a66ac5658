import { Database } from "bun:sqlite";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { io, type Socket } from "socket.io-client";
import { p2pAuthToken } from "../../src/crypto/p2p-token.ts";
import { createCipher } from "../../src/crypto/session-cipher.ts";
import { SCHEMA_VERSION } from "../../src/store/migrations.ts";
import { installFakeServiceManagers } from "../fixtures/fake-service-manager/install.ts";
import { assistantText, eventOf, fakeClaude, phoneSession, type FakeClaude } from "../helpers/agent.ts";
import type { Daemon } from "../helpers/p2p.ts";
import { installedBinary } from "../helpers/installed.ts";
import { createSandbox, eventually, isAlive, processesWithHome } from "../helpers/sandbox.ts";
import { machineRpc } from "../helpers/sessions.ts";

/**
 * A session started under version A keeps running its binary across `remcli update` to
 * version B, whose schema has one step more (build.ts's test-only
 * REMCLI_TEST_EXTRA_MIGRATION). That step fails halfway when the settings say so, for
 * the tests of a failed migration: `fail` always (so the preflight's try on a copy fails),
 * `fail-late` only once the old daemon has stopped (the copy, taken while it runs, passes).
 */
const ROOT = join(import.meta.dir, "..", "..");
const A = "1.0.0-test-a";
const B = "1.0.0-test-b";
const EXTRA_MIGRATION = `
  CREATE TABLE upgrade_probe (id INTEGER PRIMARY KEY, note TEXT NOT NULL CHECK (note <> 'fail'));
  INSERT INTO upgrade_probe (note) SELECT CASE (SELECT value FROM settings WHERE key = 'test_migration')
    WHEN 'fail' THEN 'fail'
    WHEN 'fail-late' THEN CASE (SELECT state FROM daemon WHERE id = 1) WHEN 'running' THEN 'ok' ELSE 'fail' END
    ELSE 'ok' END;
`;

let builds = "";
let buildError: string | null = null;

/** A and B once for the file, through build.ts, side by side. */
beforeAll(async () => {
  builds = mkdtempSync(join(tmpdir(), "remcli-upgrade-builds-"));
  const build = (version: string, env: Record<string, string>) =>
    Bun.spawn([process.execPath, join(ROOT, "build.ts"), "--outdir", join(builds, version)], {
      env: { ...process.env, REMCLI_VERSION: version, ...env },
      stdout: "pipe",
      stderr: "pipe",
    });
  const children = [build(A, {}), build(B, { REMCLI_TEST_EXTRA_MIGRATION: EXTRA_MIGRATION })];
  for (const child of children) {
    if ((await child.exited) !== 0) buildError = `build.ts failed: ${(await new Response(child.stderr).text()).trim()}`;
  }
}, 240_000);
afterAll(() => rmSync(builds, { recursive: true, force: true }));

const binaryOf = (version: string) => join(builds, version, "remcli");
const sha256Of = (version: string) => createHash("sha256").update(readFileSync(binaryOf(version))).digest("hex");

/** Version A installed in its own bin folder and home; every process it starts is killed at the end. */
function installation(env: Record<string, string> = {}) {
  // Slow automatic checks: the switch is `remcli update`'s doing.
  const { box, install, run, status } = installedBinary(binaryOf(A), { REMCLI_UPDATE_CHECK_MS: "60000", REMCLI_HEARTBEAT_MS: "200", ...env });
  const list = async () => JSON.parse((await run(["daemon", "list", "--json"])).stdout) as Array<Record<string, unknown>>;
  const start = async () => {
    const started = await run(["daemon", "start", "--host", "127.0.0.1", "--no-qr"]);
    if (started.code !== 0) throw new Error(`daemon did not start: ${started.stderr}`);
    return status();
  };
  const schema = () => {
    const db = new Database(join(box.home, "remcli.db"), { readonly: true });
    try {
      const version = (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
      const probe = db.query("SELECT name FROM sqlite_master WHERE name = 'upgrade_probe'").get() !== null;
      return { version, probe };
    } finally {
      db.close();
    }
  };
  return { box, install, run, status, list, start, schema };
}

/** The phone's side of the test helpers, for a daemon of an installed binary (port from its status). */
function phoneOf(box: ReturnType<typeof createSandbox>, port: number): Daemon & { socket: Socket } {
  const secret = new Uint8Array(readFileSync(join(box.home, "p2p.secret")));
  const token = p2pAuthToken(secret);
  const base = `http://127.0.0.1:${port}`;
  const socket = io(base, { path: "/v1/updates", transports: ["websocket"], auth: { token }, reconnectionDelay: 50, reconnectionDelayMax: 200 });
  const api = async (path: string) => {
    const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as any };
  };
  return { box, base, port, token, secret, pid: 0, api, socket } as unknown as Daemon & { socket: Socket };
}

/** The machine's daemon state as the phone decrypts it. */
async function daemonStateOf(phone: Daemon) {
  const [machine] = (await phone.api("/v1/machines")).body as Array<{ dataEncryptionKey: string; daemonState: string }>;
  return createCipher(phone.secret, machine!.dataEncryptionKey).decrypt(machine!.daemonState) as any;
}

describe("a session across an update", () => {
  test("an A session under daemon B: messages, a pending permission and the phone's history go on; B migrated; A is shown as older until restarted onto B when idle", async () => {
    if (buildError) throw new Error(buildError); // the host build works offline: a failed one is a failure
    using claude: FakeClaude = fakeClaude();
    const it = installation(claude.env);
    await using _box = it.box;
    const before = await it.start();
    expect(before.version).toBe(A);
    expect(it.schema()).toEqual({ version: SCHEMA_VERSION, probe: false });

    const phone = phoneOf(it.box, before.p2pPort);
    await eventually("the phone to connect", () => (phone.socket.connected ? true : undefined));
    const live: number[] = [];
    phone.socket.on("update", (update: any) => {
      if (update?.body?.t === "new-message") live.push(update.body.message.seq);
    });
    const directory = join(it.box.home, "work");
    mkdirSync(directory);
    const spawned = await machineRpc(phone, phone.socket, "spawn-remcli-session", { type: "spawn-in-directory", directory });
    expect(spawned.type).toBe("success");
    const sessionId = spawned.sessionId as string;
    const session = await phoneSession(phone, phone.socket, sessionId);
    await eventually("the agent state", async () => ((await session.state()).version > 0 ? true : undefined));
    const [sessionPid] = (await it.list()).map((s) => s.pid as number);

    const first = await session.send("hello");
    await session.waitFor("A's answer", (m) => assistantText(m) === "echo: hello", first);
    // A permission asked under A and answered under B.
    const toolAt = await session.send("please run a tool");
    const asked = await session.openRequest("Bash");

    // Meanwhile the phone keeps writing into another session, retrying what is not acked
    // with the same localId, as the app does: every message is stored once, in order.
    const other = await fetch(`${phone.base}/v1/sessions`, {
      method: "POST",
      headers: { authorization: `Bearer ${phone.token}`, "content-type": "application/json" },
      body: JSON.stringify({ tag: `busy-${crypto.randomUUID()}`, metadata: "bWV0YQ==" }),
    }).then(async (r) => ((await r.json()) as { session: { id: string } }).session.id);
    let updating = true;
    const acked: string[] = [];
    const writer = (async () => {
      // While the update runs, and three more after it.
      for (let n = 0, after = 0; after < 3; n++) {
        if (!updating) after++;
        const localId = `busy-${n}`;
        for (;;) {
          const ack = await phone.socket.timeout(2_000).emitWithAck("message", { sid: other, message: btoa(`m${n}`), localId }).catch(() => null);
          if (ack?.ok) break;
        }
        acked.push(localId);
        await Bun.sleep(20); // a person's pace, not a flood
      }
    })();

    const updated = await it.run(["update", "--from", binaryOf(B), "--sha256", sha256Of(B)]);
    updating = false;
    await writer;
    const stored = (await phone.api(`/v1/sessions/${other}/messages?after=0&limit=1000`)).body.messages as Array<{ seq: number; localId: string }>;
    expect(stored.map((m) => m.localId)).toEqual(acked);
    expect(stored.map((m) => m.seq)).toEqual(acked.map((_, i) => i + 1));
    expect(updated.stderr).toBe("");
    expect(updated.code).toBe(0);
    expect(updated.stdout).toContain(`the daemon now runs version ${B}`);
    const after = await it.status();
    expect(after).toMatchObject({ running: true, version: B, p2pPort: before.p2pPort });
    expect(isAlive(before.pid)).toBe(false);
    expect(isAlive(sessionPid!)).toBe(true);
    // B's daemon ran its extra step, in its one transaction.
    expect(it.schema()).toEqual({ version: SCHEMA_VERSION + 1, probe: true });

    // The A session found B (address file, not the database it can no longer read) and said who it is.
    const listed = await eventually("the A session to report to B", async () => {
      const mine = (await it.list()).find((s) => s.sessionId === sessionId);
      return mine?.version === A ? mine : undefined;
    }, 15_000);
    expect(listed).toMatchObject({ pid: sessionPid, alive: true, version: A, olderBinary: true });
    const text = await it.run(["daemon", "list"]);
    expect(text.stdout).toContain(`remcli ${A}  (older binary: restart it when idle)`);
    // …and to the phone, in the machine's daemon state.
    expect((await daemonStateOf(phone)).olderSessions).toEqual([{ sessionId, version: A }]);

    // The permission asked under A is answered through B, and the turn finishes.
    await eventually("the phone to reconnect", () => (phone.socket.connected ? true : undefined), 10_000);
    expect(await session.rpc("permission", { id: asked, approved: true, decision: "approved" })).toEqual({ ok: true });
    await session.waitFor("the answer after the tool", (m) => assistantText(m) === "Found two files.", toolAt, 15_000);
    const later = await session.send("after the update");
    await session.waitFor("the answer under B", (m) => assistantText(m) === "echo: after the update", later, 15_000);
    await session.waitFor("the ready event", (m) => eventOf(m)?.type === "ready", later);

    // No gap: every seq once, from 1 up, and what the phone missed live it catches up by seq.
    const seqs = (await session.history()).map((m) => m.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    const missed = seqs.filter((seq) => !live.includes(seq));
    const lastLive = Math.min(...missed, Number.MAX_SAFE_INTEGER) - 1;
    const caughtUp = (await phone.api(`/v1/sessions/${sessionId}/messages?after=${lastLive}&limit=1000`)).body.messages.map((m: { seq: number }) => m.seq);
    for (const seq of missed) expect(caughtUp).toContain(seq);

    // Restarting it onto B waits until it is idle: not while a permission waits.
    const waitingAt = await session.send("please run a tool");
    const waiting = await session.openRequest("Bash");
    const refused = await it.run(["daemon", "restart-session", sessionId]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`session ${sessionId} is not idle`);
    await session.rpc("permission", { id: waiting, approved: true, decision: "approved" });
    await session.waitFor("the turn to end", (m) => eventOf(m)?.type === "ready", waitingAt, 15_000);
    // Idle (its "not thinking" ping may trail the ready event): the same session, resumed on B.
    const restarted = await eventually("an idle restart", async () => {
      const run = await it.run(["daemon", "restart-session", sessionId]);
      return run.code === 0 ? run : undefined;
    }, 20_000);
    expect(restarted.stdout).toContain(`session ${sessionId} restarted`);
    const onB = await eventually("the session on B", async () => (await it.list()).find((s) => s.sessionId === sessionId && s.alive && s.version === B));
    expect(onB).toMatchObject({ olderBinary: false });
    expect(onB!.pid).not.toBe(sessionPid);
    expect(isAlive(sessionPid!)).toBe(false);
    expect((await daemonStateOf(phone)).olderSessions).toEqual([]);
    const resumedAt = await session.send("after the restart");
    await session.waitFor("the answer from B's session", (m) => assistantText(m) === "echo: after the restart", resumedAt, 20_000);
    const all = (await session.history()).map((m) => m.seq);
    expect(all).toEqual(Array.from({ length: all.length }, (_, i) => i + 1));
    phone.socket.close();
  }, 120_000);

  test("a migration that fails halfway is refused before the switch: A keeps serving on the old schema", async () => {
    if (buildError) throw new Error(buildError); // the host build works offline: a failed one is a failure
    const it = installation();
    await using _box = it.box;
    const before = await it.start();
    const db = new Database(join(it.box.home, "remcli.db"));
    db.run("INSERT INTO settings (key, value) VALUES ('test_migration', 'fail')");
    db.close();

    const updated = await it.run(["update", "--from", binaryOf(B), "--sha256", sha256Of(B)]);
    expect(updated.code).toBe(1);
    expect(updated.stderr).toContain(`migrating the state database from schema ${SCHEMA_VERSION} to ${SCHEMA_VERSION + 1} fails`);
    expect(updated.stderr).toContain("CHECK constraint failed");
    expect(await it.status()).toMatchObject({ running: true, pid: before.pid, version: A });
    expect(it.schema()).toEqual({ version: SCHEMA_VERSION, probe: false });
    // The copy it was tried on is gone, and A still answers the phone.
    expect(readdirSync(it.box.home).filter((name) => name.includes("preflight"))).toEqual([]);
    const phone = phoneOf(it.box, before.p2pPort);
    expect((await phone.api("/v1/sessions")).status).toBe(200);
    phone.socket.close();
  }, 60_000);

  test("a migration that fails only for real, after the old daemon stopped, brings version A back on the old schema", async () => {
    if (buildError) throw new Error(buildError); // the host build works offline: a failed one is a failure
    const it = installation();
    await using _box = it.box;
    const before = await it.start();
    const db = new Database(join(it.box.home, "remcli.db"));
    db.run("INSERT INTO settings (key, value) VALUES ('test_migration', 'fail-late')");
    db.close();

    const updated = await it.run(["update", "--from", binaryOf(B), "--sha256", sha256Of(B)]);
    expect(updated.code).toBe(1);
    expect(updated.stderr).toContain(`version ${B} could not start`);
    expect(updated.stderr).toContain(`version ${A} serves again`);
    const after = await it.status();
    expect(after).toMatchObject({ running: true, version: A, p2pPort: before.p2pPort });
    expect(after.pid).not.toBe(before.pid);
    expect(it.schema()).toEqual({ version: SCHEMA_VERSION, probe: false });
    expect(readFileSync(join(it.box.home, "logs", "daemon.log"), "utf8")).toContain("CHECK constraint failed");
    const phone = phoneOf(it.box, before.p2pPort);
    expect((await phone.api("/v1/sessions")).status).toBe(200);
    phone.socket.close();
  }, 90_000);

  test("under systemd, a migration that fails only for real puts remcli.old back: systemd starts version A again, on the same ports, once", async () => {
    if (buildError) throw new Error(buildError); // the host build works offline: a failed one is a failure
    // Quick update checks: a rolled-back A that took B up again would show within the test.
    const it = installation({ REMCLI_UPDATE_CHECK_MS: "100" });
    await using _box = it.box;
    const fakes = installFakeServiceManagers(it.box.home);
    Object.assign(it.box.env, { ...fakes.env, PATH: `${fakes.bin}:${it.box.env.PATH}`, XDG_CONFIG_HOME: join(it.box.home, "config"), REMCLI_SERVICE_MANAGER: "systemd" });
    expect((await it.run(["daemon", "install", "--host", "127.0.0.1"])).code).toBe(0);
    const before = await it.status();
    expect(before).toMatchObject({ running: true, version: A });
    const db = new Database(join(it.box.home, "remcli.db"));
    db.run("INSERT INTO settings (key, value) VALUES ('test_migration', 'fail-late')");
    db.close();

    const updated = await it.run(["update", "--from", binaryOf(B), "--sha256", sha256Of(B)]);
    expect(updated.stderr).toContain(`version ${B} could not start`);
    expect(updated.stderr).toContain(`it rolled back: version ${A} is the installed binary again and serves`);
    expect(updated.code).toBe(1);
    const after = await it.status();
    expect(after).toMatchObject({ running: true, version: A, p2pPort: before.p2pPort, controlPort: before.controlPort, service: { active: true } });
    expect(after.pid).not.toBe(before.pid);
    expect(it.schema()).toEqual({ version: SCHEMA_VERSION, probe: false });
    expect(readFileSync(it.install).equals(readFileSync(binaryOf(A)))).toBe(true);
    expect(readFileSync(`${it.install}.old`).equals(readFileSync(binaryOf(B)))).toBe(true);
    // A handed over, B failed once and handed back, systemd started A: no crash loop.
    const events = () => fakes.events().map((e) => [e.event, e.code ?? null]);
    const once = [["started", null], ["exited", 75], ["restarting", null], ["started", null], ["exited", 75], ["restarting", null], ["started", null]];
    expect(events()).toEqual(once);
    expect(fakes.events().at(-1)!.pid).toBe(after.pid);
    const history = after.history.map((h: { state: string; version: string }) => `${h.state} ${h.version}`);
    expect(history.slice(0, 4)).toEqual([`running ${A}`, `starting ${A}`, `stopped ${B}`, `stopped ${A}`]);
    const why: string = after.history[2].reason;
    expect(why.startsWith(`version ${B} could not open the database (`)).toBe(true);
    expect(why).toContain("CHECK constraint failed");
    expect(why.endsWith(`); rolled back to version ${A} from remcli.old; systemd starts it`)).toBe(true);
    expect(after.history[3].reason).toBe(`replaced by version ${B}: systemd starts it`);
    expect(readFileSync(join(it.box.home, "logs", "daemon.log"), "utf8")).toContain(`rolled back to version ${A} from remcli.old`);

    // A watches its own path, which holds A again: many update checks later it has not taken B up.
    const beat = (await it.status()).lastHeartbeat;
    await eventually("two more heartbeats", async () => {
      const now = (await it.status()).lastHeartbeat;
      return now !== beat && now !== after.lastHeartbeat ? true : undefined;
    });
    await Bun.sleep(500);
    expect(events()).toEqual(once);
    expect(await it.status()).toMatchObject({ running: true, pid: after.pid, version: A });
    const daemons = processesWithHome(it.box.home).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("start-sync"));
    expect(daemons).toEqual([after.pid]);
    const phone = phoneOf(it.box, before.p2pPort);
    expect((await phone.api("/v1/sessions")).status).toBe(200);
    phone.socket.close();
  }, 90_000);

  test("a supervised daemon that cannot migrate rolls back only right after a hand-over to it, and only to a remcli.old ready to run", async () => {
    if (buildError) throw new Error(buildError); // the host build works offline: a failed one is a failure
    const it = installation();
    await using _box = it.box;
    await it.start();
    const db = new Database(join(it.box.home, "remcli.db"));
    db.run("INSERT INTO settings (key, value) VALUES ('test_migration', 'fail')");
    db.close();
    expect((await it.run(["daemon", "stop"])).code).toBe(0);
    // B installed, A beside it as remcli.old, as an update leaves them.
    copyFileSync(binaryOf(B), it.install);
    copyFileSync(binaryOf(A), `${it.install}.old`);
    const supervised = async () => {
      const child = Bun.spawn([it.install, "daemon", "start-sync", "--supervised", "systemd", "--host", "127.0.0.1"], { env: it.box.env, stdout: "pipe", stderr: "pipe", stdin: "ignore" });
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
      clearTimeout(timer);
      return { code, stderr };
    };
    const unchanged = (install: string, old: string | null) => {
      expect(readFileSync(it.install).equals(readFileSync(binaryOf(install)))).toBe(true);
      if (old) expect(readFileSync(`${it.install}.old`).equals(readFileSync(binaryOf(old)))).toBe(true);
    };

    // The daemon before was stopped by hand, not replaced by B: B exits failed, as before.
    const stoppedByHand = await supervised();
    expect(stoppedByHand.code).toBe(1);
    expect(stoppedByHand.stderr).not.toContain("rolled back");
    unchanged(B, A);

    // Replaced by B, but remcli.old is not version A ready to run: nothing to go back to.
    const replaced = new Database(join(it.box.home, "remcli.db"));
    replaced.run(`UPDATE daemon SET state = 'stopped', state_reason = 'replaced by version ${B}: systemd starts it' WHERE id = 1`);
    replaced.close();
    copyFileSync(binaryOf(B), `${it.install}.old`);
    const notA = await supervised();
    expect(notA.code).toBe(1);
    unchanged(B, B);
    expect(readFileSync(join(it.box.home, "logs", "daemon.log"), "utf8")).toContain(`could not roll back to the previous version version=${A}`);
    rmSync(`${it.install}.old`);
    expect((await supervised()).code).toBe(1);
    unchanged(B, null);
    expect(it.schema()).toEqual({ version: SCHEMA_VERSION, probe: false });
  }, 60_000);

  test("a session whose daemon's database looks corrupt still reports to its daemon and never moves the file", async () => {
    if (buildError) throw new Error(buildError); // the host build works offline: a failed one is a failure
    const it = installation();
    await using _box = it.box;
    const before = await it.start();
    const phone = phoneOf(it.box, before.p2pPort);
    const directory = join(it.box.home, "work");
    mkdirSync(directory);
    await eventually("the phone to connect", () => (phone.socket.connected ? true : undefined));
    const spawned = await machineRpc(phone, phone.socket, "spawn-remcli-session", { type: "spawn-in-directory", directory });
    const sessionId = spawned.sessionId as string;
    const [session] = await it.list();

    // The daemon keeps its open file; the path now holds bytes no SQLite opener can read.
    const junk = Buffer.from("this is not a database ".repeat(200));
    const file = join(it.box.home, "remcli.db");
    writeFileSync(`${file}.junk`, junk);
    renameSync(`${file}.junk`, file);
    process.kill(session!.pid as number, "SIGTERM");

    const log = () => readFileSync(join(it.box.home, "logs", "daemon.log"), "utf8");
    await eventually("the session's own end report", () => (log().includes("ended by the session: SIGTERM received") ? true : undefined), 15_000);
    expect(log()).toContain(`session=${sessionId}`);
    expect(readFileSync(file).equals(junk)).toBe(true);
    expect(readdirSync(it.box.home).filter((name) => name.includes("corrupt"))).toEqual([]);
    phone.socket.close();
  }, 60_000);
});
