import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "bun:test";
import { createCipher } from "../../src/crypto/session-cipher.ts";
import { startDaemon, type Daemon } from "../helpers/p2p.ts";
import { eventually, isAlive, statusJson } from "../helpers/sandbox.ts";
import { childRows, controlOf, machineRpc, type ChildRecord } from "../helpers/sessions.ts";

/** Whether `pid` has a handler for signal number `signal` (/proc's SigCgt mask). */
function catchesSignal(pid: number, signal: number): boolean {
  const mask = /^SigCgt:\s+([0-9a-f]+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return mask !== undefined && (BigInt(`0x${mask}`) & (1n << BigInt(signal - 1))) !== 0n;
}

const sessionRow = (daemon: Daemon, sessionId: string) =>
  childRows(daemon.box).find((row) => row.kind === "session" && row.sessionId === sessionId);

const listed = async (daemon: Daemon) => {
  const result = await controlOf(daemon).call("list", {});
  if (!result.ok) throw new Error(result.error.message);
  return result.data.sessions;
};

/** A directory inside the sandbox, so nothing a session does lands outside it. */
const workDir = (daemon: Daemon, name: string) => {
  const dir = join(daemon.box.home, "work", name);
  mkdirSync(dir, { recursive: true });
  return dir;
};

async function spawnByControl(daemon: Daemon, directory: string): Promise<{ sessionId: string; row: ChildRecord }> {
  const answer = await controlOf(daemon).call("spawnSession", { directory });
  if (!answer.ok || answer.data.type !== "success") throw new Error(`spawn failed: ${JSON.stringify(answer)}`);
  return { sessionId: answer.data.sessionId, row: sessionRow(daemon, answer.data.sessionId)! };
}

describe("daemon-spawned sessions", () => {
  test("spawned from the phone and from the control API, each is listed, served over REST and recorded", async () => {
    await using daemon = await startDaemon();
    const phone = await daemon.connect();

    const missing = join(daemon.box.home, "work", "new-project");
    expect(await machineRpc(daemon, phone, "spawn-remcli-session", { type: "spawn-in-directory", directory: missing })).toEqual({
      type: "requestToApproveDirectoryCreation",
      directory: missing,
    });
    const fromPhone = await machineRpc(daemon, phone, "spawn-remcli-session", {
      type: "spawn-in-directory",
      directory: missing,
      approvedNewDirectoryCreation: true,
    });
    expect(fromPhone).toEqual({ type: "success", sessionId: expect.any(String) });
    const fromControl = await spawnByControl(daemon, workDir(daemon, "other"));

    const ids = [fromPhone.sessionId, fromControl.sessionId];
    expect((await listed(daemon)).map((s) => s.sessionId).sort()).toEqual([...ids].sort());
    expect((await listed(daemon)).every((s) => s.alive && s.startedBy === "daemon")).toBe(true);

    const rest = (await daemon.api("/v1/sessions")).body.sessions as Array<{ id: string; active: boolean; metadata: string; dataEncryptionKey: string }>;
    for (const id of ids) {
      const session = rest.find((s) => s.id === id)!;
      expect(session.active).toBe(true);
      const metadata = createCipher(daemon.secret, session.dataEncryptionKey).decrypt(session.metadata);
      expect(metadata).toMatchObject({ startedBy: "daemon", hostPid: sessionRow(daemon, id)!.pid });
    }
    expect((metadataPath(rest, daemon, fromPhone.sessionId))).toBe(missing);
    for (const id of ids) {
      const row = sessionRow(daemon, id)!;
      expect(row).toMatchObject({ startedBy: "daemon", daemonPid: daemon.pid, endedAt: null });
      expect(isAlive(row.pid)).toBe(true);
    }

    const cli = await daemon.box.cli(["daemon", "list", "--json"]);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout).map((s: { sessionId: string }) => s.sessionId).sort()).toEqual([...ids].sort());

    // Stop one from the phone: the process goes, the record ends with why, the session is inactive.
    const stopped = await machineRpc(daemon, phone, "stop-session", { sessionId: fromPhone.sessionId });
    expect(stopped).toEqual({ message: "Session stopped (SIGTERM)" });
    const ended = sessionRow(daemon, fromPhone.sessionId)!;
    expect(ended.endReason).toBe("stopped from the phone");
    expect(isAlive(ended.pid)).toBe(false);
    await eventually("the session to be inactive", async () => {
      const sessions = (await daemon.api("/v1/sessions")).body.sessions as Array<{ id: string; active: boolean }>;
      return sessions.find((s) => s.id === fromPhone.sessionId)?.active === false ? true : undefined;
    });
    expect((await listed(daemon)).map((s) => s.sessionId)).toEqual([fromControl.sessionId]);

    expect(await machineRpc(daemon, phone, "stop-session", { sessionId: fromPhone.sessionId })).toMatchObject({
      type: "error",
      errorMessage: expect.stringContaining("no running session"),
    });
    const stoppedByControl = await controlOf(daemon).call("stopSession", { sessionId: fromControl.sessionId });
    expect(stoppedByControl).toEqual({ ok: true, data: { how: "SIGTERM" } });
  });

  test("without Claude Code installed, the phone is told how to install it, at start and for each message", async () => {
    await using daemon = await startDaemon();
    const { sessionId } = await spawnByControl(daemon, workDir(daemon, "chat"));
    const session = ((await daemon.api("/v1/sessions")).body.sessions as Array<{ id: string; dataEncryptionKey: string }>).find(
      (s) => s.id === sessionId,
    )!;
    const cipher = createCipher(daemon.secret, session.dataEncryptionKey);
    const notInstalled = {
      role: "agent",
      content: {
        type: "event",
        id: expect.any(String),
        data: { type: "message", message: expect.stringContaining("npm install -g @anthropic-ai/claude-code") },
      },
    };
    const decrypted = async () => {
      const page = await daemon.api(`/v1/sessions/${sessionId}/messages`);
      return (page.body.messages as Array<{ seq: number; content: { c: string } }>)
        .sort((a, b) => a.seq - b.seq)
        .map((m) => ({ seq: m.seq, body: cipher.decrypt(m.content.c) }));
    };
    await eventually("the notice at start", async () => ((await decrypted()).length >= 1 ? true : undefined));
    expect((await decrypted())[0]!.body).toEqual(notInstalled);

    const phone = await daemon.connect();
    const ack = await phone.emitWithAck("message", {
      sid: sessionId,
      message: cipher.encrypt({ role: "user", content: { type: "text", text: "hello?" } }),
      localId: "phone-1",
    });
    expect(ack).toMatchObject({ ok: true });
    const reply = await eventually("the session's reply", async () => (await decrypted()).find((m) => m.seq > ack.seq));
    expect(reply.body).toEqual(notInstalled);
    // The session stays up: the phone sees it, and it can be stopped like any other.
    expect(isAlive(sessionRow(daemon, sessionId)!.pid)).toBe(true);
  });

  test("a session that does not report in time is killed and the spawn answers timeout", async () => {
    await using daemon = await startDaemon({ REMCLI_SPAWN_TIMEOUT_MS: "30" });
    const answer = await controlOf(daemon).call("spawnSession", { directory: workDir(daemon, "slow") });
    expect(answer).toMatchObject({ ok: false, error: { code: "timeout", message: expect.stringContaining("30 ms") } });
    const [row] = childRows(daemon.box);
    expect(row).toMatchObject({ kind: "session", endReason: "did not report within 30 ms; killed", endedAt: expect.any(String) });
    await eventually("the child to be gone", () => (isAlive(row!.pid) ? undefined : true));
    expect(await listed(daemon)).toEqual([]);
  });

  test("stop-session escalates to SIGKILL for a session that ignores SIGTERM", async () => {
    await using daemon = await startDaemon({ REMCLI_SESSION_STOP_GRACE_MS: "300" });
    const { sessionId, row } = await spawnByControl(daemon, workDir(daemon, "stuck"));
    // A stopped process cannot run its SIGTERM handler; only SIGKILL ends it. (Without a
    // handler yet, the kernel would end it on SIGTERM even while stopped: wait for one.)
    await eventually("the session to handle SIGTERM", () => (catchesSignal(row.pid, 15) ? true : undefined));
    process.kill(row.pid, "SIGSTOP");
    const stopped = await controlOf(daemon).call("stopSession", { sessionId });
    expect(stopped).toEqual({ ok: true, data: { how: "SIGKILL" } });
    expect(isAlive(row.pid)).toBe(false);
    expect(sessionRow(daemon, sessionId)!.endReason).toBe(
      "stopped by request: killed with SIGKILL after ignoring SIGTERM for 300 ms",
    );
  });
});

function metadataPath(rest: Array<{ id: string; metadata: string; dataEncryptionKey: string }>, daemon: Daemon, id: string) {
  const session = rest.find((s) => s.id === id)!;
  return (createCipher(daemon.secret, session.dataEncryptionKey).decrypt(session.metadata) as { path: string }).path;
}

describe("tracking across daemon restarts", () => {
  test("kill -9 of the daemon: a new daemon re-adopts live sessions and records the dead one as gone", async () => {
    await using daemon = await startDaemon();
    const survivor = await spawnByControl(daemon, workDir(daemon, "survivor"));
    const victim = await spawnByControl(daemon, workDir(daemon, "victim"));
    const firstDaemon = daemon.pid;

    process.kill(firstDaemon, "SIGKILL");
    await eventually("the daemon to die", () => (isAlive(firstDaemon) ? undefined : true));
    expect(isAlive(survivor.row.pid)).toBe(true);
    process.kill(victim.row.pid, "SIGKILL");
    await eventually("the victim to die", () => (isAlive(victim.row.pid) ? undefined : true));

    await daemon.restart();
    expect(daemon.pid).not.toBe(firstDaemon);
    expect(sessionRow(daemon, survivor.sessionId)).toMatchObject({ daemonPid: daemon.pid, endedAt: null });
    expect(sessionRow(daemon, victim.sessionId)).toMatchObject({
      endReason: "gone while the daemon was not running",
      endedAt: expect.any(String),
    });
    expect((await listed(daemon)).map((s) => s.sessionId)).toEqual([survivor.sessionId]);

    // The adopted session is still the new daemon's to stop.
    expect(await controlOf(daemon).call("stopSession", { sessionId: survivor.sessionId })).toEqual({
      ok: true,
      data: { how: "SIGTERM" },
    });
  });

  test("the heartbeat records a session that died under a running daemon", async () => {
    await using daemon = await startDaemon({ REMCLI_HEARTBEAT_MS: "100" });
    const { sessionId, row } = await spawnByControl(daemon, workDir(daemon, "dies"));
    process.kill(row.pid, "SIGKILL");
    const ended = await eventually("the record to end", () => sessionRow(daemon, sessionId)?.endReason ?? undefined);
    // Whichever notices first: the daemon's exit handler for its child, or the heartbeat's pid check.
    expect(["killed by SIGKILL", "found dead by the heartbeat"]).toContain(ended);
    await eventually("the session to be inactive", async () => {
      const sessions = (await daemon.api("/v1/sessions")).body.sessions as Array<{ id: string; active: boolean }>;
      return sessions.find((s) => s.id === sessionId)?.active === false ? true : undefined;
    });
  });
});

describe("terminal sessions", () => {
  test("`remcli` starts the daemon when needed, says so, and is tracked as a terminal session", async () => {
    await using daemon = await startDaemon();
    await daemon.box.cli(["daemon", "stop"]);
    const terminal = daemon.box.spawn([]);
    const stderr = terminal.stderr as ReadableStream<Uint8Array>;
    const reader = stderr.getReader();
    let said = "";
    await eventually("the session to announce itself", async () => {
      const { value } = await reader.read();
      said += new TextDecoder().decode(value ?? new Uint8Array());
      return /remcli session \S+ in /.test(said) ? true : undefined;
    }, 20_000);
    expect(said).toContain("remcli: started the daemon");
    const status = statusJson(await daemon.box.cli(["daemon", "status", "--json"]));
    expect(status.state).toBe("running");

    const sessionId = /remcli session (\S+) in /.exec(said)![1]!;
    const row = childRows(daemon.box).find((r) => r.sessionId === sessionId)!;
    expect(row).toMatchObject({ startedBy: "terminal", pid: terminal.pid, daemonPid: status.pid, endedAt: null });

    terminal.kill("SIGTERM");
    expect(await terminal.exited).toBe(0);
    await eventually("the record to end", () => sessionRow(daemon, sessionId)?.endedAt ?? undefined);
    expect(sessionRow(daemon, sessionId)!.endReason).toBe("ended by the session: SIGTERM received");
    reader.releaseLock();
  });

  test("`remcli` beside a running daemon from before daemon.json finds it by its row and reports to it", async () => {
    await using daemon = await startDaemon();
    // What a daemon of an earlier version leaves: no address file, only its state row.
    rmSync(join(daemon.box.home, "daemon.json"));
    const terminal = daemon.box.spawn([]);
    const reader = (terminal.stderr as ReadableStream<Uint8Array>).getReader();
    let said = "";
    await eventually("the session to announce itself", async () => {
      const { value } = await reader.read();
      said += new TextDecoder().decode(value ?? new Uint8Array());
      return /remcli session \S+ in /.test(said) ? true : undefined;
    }, 20_000);
    expect(said).not.toContain("started the daemon");
    const sessionId = /remcli session (\S+) in /.exec(said)![1]!;
    await eventually("the daemon to track it", async () => ((await listed(daemon)).some((s) => s.sessionId === sessionId && s.startedBy === "terminal") ? true : undefined));
    terminal.kill("SIGTERM");
    expect(await terminal.exited).toBe(0);
    reader.releaseLock();
  });

  test("a word that is not a command is a usage error, not a session", async () => {
    await using daemon = await startDaemon();
    const result = await daemon.box.cli(["bogus"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command `bogus`");
    expect(childRows(daemon.box)).toEqual([]);
  });
});

describe("caffeinate", () => {
  test("a stand-in caffeinate runs while a session is active and stops with the last one", async () => {
    // A stand-in that, like caffeinate, just stays up until it is told to stop.
    const stubDir = mkdtempSync(join(tmpdir(), "remcli-caffeinate-"));
    const stub = join(stubDir, "caffeinate");
    writeFileSync(stub, "#!/bin/sh\nexec sleep 600\n");
    chmodSync(stub, 0o755);
    await using daemon = await startDaemon({ REMCLI_CAFFEINATE_PATH: stub });
    await using _stubDir = { [Symbol.asyncDispose]: async () => rmSync(stubDir, { recursive: true, force: true }) };
    const caffeinates = () => childRows(daemon.box).filter((r) => r.kind === "caffeinate" && r.daemonPid === daemon.pid);
    expect(caffeinates()).toEqual([]);

    const one = await spawnByControl(daemon, workDir(daemon, "one"));
    const two = await spawnByControl(daemon, workDir(daemon, "two"));
    expect(caffeinates()).toHaveLength(1);
    const [running] = caffeinates();
    expect(running).toMatchObject({ startedBy: "daemon", endedAt: null });
    expect(isAlive(running!.pid)).toBe(true);

    await controlOf(daemon).call("stopSession", { sessionId: one.sessionId });
    expect(isAlive(running!.pid)).toBe(true);
    await controlOf(daemon).call("stopSession", { sessionId: two.sessionId });
    await eventually("caffeinate to stop", () => (isAlive(running!.pid) ? undefined : true));
    expect(caffeinates()[0]).toMatchObject({ endReason: "no active sessions", endedAt: expect.any(String) });

    // And on shutdown, while a session still runs.
    await spawnByControl(daemon, workDir(daemon, "three"));
    const second = caffeinates().find((r) => r.endedAt === null)!;
    expect(isAlive(second.pid)).toBe(true);
    expect((await daemon.box.cli(["daemon", "stop"])).code).toBe(0);
    await eventually("caffeinate to stop with the daemon", () => (isAlive(second.pid) ? undefined : true));
    expect(childRows(daemon.box).find((r) => r.id === second.id)!.endedAt).not.toBeNull();
  });
});

describe("doctor", () => {
  test("finds a session its daemon left behind, calls it an orphan, and `doctor clean` stops it", async () => {
    await using daemon = await startDaemon();
    const { sessionId, row } = await spawnByControl(daemon, workDir(daemon, "orphaned"));

    const healthy = JSON.parse((await daemon.box.cli(["doctor", "--json"])).stdout);
    expect(healthy.daemon).toMatchObject({ alive: true, pid: daemon.pid, state: "running" });
    const categories = Object.fromEntries(healthy.processes.map((p: { pid: number; category: string }) => [p.pid, p.category]));
    expect(categories[daemon.pid]).toBe("daemon");
    expect(categories[row.pid]).toBe("daemon-spawned session");
    expect(Object.values(categories)).toContain("doctor");

    process.kill(daemon.pid, "SIGKILL");
    await eventually("the daemon to die", () => (isAlive(daemon.pid) ? undefined : true));
    const report = JSON.parse((await daemon.box.cli(["doctor", "--json"])).stdout);
    expect(report.daemon).toMatchObject({ alive: false, state: "crashed" });
    const orphan = report.processes.find((p: { pid: number }) => p.pid === row.pid);
    expect(orphan).toMatchObject({ category: "orphan", why: "its daemon is gone" });
    expect((await daemon.box.cli(["doctor"])).stdout).toContain("run `remcli doctor clean`");

    const cleaned = await daemon.box.cli(["doctor", "clean"]);
    expect(cleaned.code).toBe(0);
    expect(cleaned.stdout).toContain(`orphan pid ${row.pid}: stopped with SIGTERM`);
    expect(isAlive(row.pid)).toBe(false);
    expect(sessionRow(daemon, sessionId)!.endReason).toContain("stopped by `remcli doctor clean` with SIGTERM");
    expect((await daemon.box.cli(["doctor", "clean"])).stdout).toContain("no orphaned processes");
  });

  test("`doctor clean` leaves processes owned by a live daemon alone unless --all", async () => {
    await using daemon = await startDaemon();
    const { row } = await spawnByControl(daemon, workDir(daemon, "owned"));
    expect((await daemon.box.cli(["doctor", "clean"])).stdout).toContain("no orphaned processes");
    expect(isAlive(row.pid)).toBe(true);
    expect(isAlive(daemon.pid)).toBe(true);

    const all = await daemon.box.cli(["doctor", "clean", "--all", "--json"]);
    const cleaned = JSON.parse(all.stdout).cleaned as Array<{ pid: number; category: string; how: string }>;
    expect(cleaned.map((c) => c.category).sort()).toEqual(["daemon", "daemon-spawned session"]);
    expect(isAlive(row.pid)).toBe(false);
    expect(isAlive(daemon.pid)).toBe(false);
  });
});
