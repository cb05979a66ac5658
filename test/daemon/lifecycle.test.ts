import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createSandbox, eventually, isAlive, processesWithHome, statusJson } from "../helpers/sandbox.ts";

const mode = (path: string) => statSync(path).mode & 0o777;

describe("daemon lifecycle", () => {
  test("start, status and stop: the state row survives the stop with its reason", async () => {
    await using box = createSandbox();
    const started = await box.cli(["daemon", "start"]);
    expect(started.code).toBe(0);
    expect(started.stdout).toContain("remcli daemon started");

    const status = await box.cli(["daemon", "status", "--json"]);
    expect(status.code).toBe(0);
    const report = statusJson(status);
    expect(report).toMatchObject({ state: "running", running: true, version: expect.any(String) });
    for (const key of ["stateReason", "pid", "controlPort", "startedAt", "lastHeartbeat", "logPath", "children"]) {
      expect(report).toHaveProperty(key);
    }
    expect(report.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(isAlive(report.pid)).toBe(true);

    const stopped = await box.cli(["daemon", "stop"]);
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain("stopped");
    expect(isAlive(report.pid)).toBe(false);

    const after = await box.cli(["daemon", "status", "--json"]);
    expect(after.code).toBe(1);
    expect(statusJson(after)).toMatchObject({ state: "stopped", stateReason: "stopped by `remcli daemon stop`" });
    expect(box.row()).toMatchObject({ state: "stopped", pid: report.pid });
    expect(existsSync(join(box.home, "daemon.lock"))).toBe(false);
  });

  test("daemon.json names the running daemon for its sessions, 0600 and without secrets, and goes with it", async () => {
    await using box = createSandbox();
    expect((await box.cli(["daemon", "start", "--host", "127.0.0.1"])).code).toBe(0);
    const report = statusJson(await box.cli(["daemon", "status", "--json"]));
    const file = join(box.home, "daemon.json");
    expect(mode(file)).toBe(0o600);
    const address = JSON.parse(readFileSync(file, "utf8"));
    expect(address).toMatchObject({
      format: 1,
      pid: report.pid,
      version: report.version,
      p2pHost: "127.0.0.1",
      p2pPort: report.p2pPort,
      controlPort: report.controlPort,
      machineId: expect.any(String),
    });
    const text = readFileSync(file, "utf8");
    for (const secret of ["p2p.secret", "control.key"]) expect(text).not.toContain(readFileSync(join(box.home, secret)).toString("base64"));
    expect(readdirSync(box.home).filter((name) => name.endsWith(".tmp"))).toEqual([]);

    expect((await box.cli(["daemon", "stop"])).code).toBe(0);
    expect(existsSync(file)).toBe(false);
  });

  test("a second daemon start finds the first and exits 0", async () => {
    await using box = createSandbox();
    expect((await box.cli(["daemon", "start"])).code).toBe(0);
    const first = statusJson(await box.cli(["daemon", "status", "--json"]));
    const again = await box.cli(["daemon", "start"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("already running");
    expect(statusJson(await box.cli(["daemon", "status", "--json"])).pid).toBe(first.pid);
    expect(processesWithHome(box.home)).toEqual([first.pid]);
  });

  test("five concurrent starts end with exactly one daemon and five successes", async () => {
    await using box = createSandbox();
    const results = await Promise.all(Array.from({ length: 5 }, () => box.cli(["daemon", "start"])));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0, 0]);
    const report = statusJson(await box.cli(["daemon", "status", "--json"]));
    expect(report.state).toBe("running");
    // Losers of the lock race exit at once; give them a moment to be gone from the table.
    const pids = await eventually("a single daemon process", () => {
      const found = processesWithHome(box.home);
      return found.length === 1 ? found : undefined;
    });
    expect(pids).toEqual([report.pid]);
    expect(results.filter((r) => r.stdout.includes("remcli daemon started")).length).toBeLessThanOrEqual(1);
  });

  test("after kill -9 status says crashed, and the next start takes over the stale lock", async () => {
    await using box = createSandbox();
    await box.cli(["daemon", "start"]);
    const { pid } = statusJson(await box.cli(["daemon", "status", "--json"]));
    process.kill(pid, "SIGKILL");
    await eventually("the daemon to die", () => (isAlive(pid) ? undefined : true));

    const crashed = await box.cli(["daemon", "status", "--json"]);
    expect(crashed.code).toBe(1);
    expect(statusJson(crashed)).toMatchObject({ state: "crashed", running: false });
    expect(String(statusJson(crashed).stateReason)).toContain(`pid ${pid}`);
    expect(box.row()).toMatchObject({ state: "crashed" });
    expect(existsSync(join(box.home, "daemon.lock"))).toBe(true);

    const restarted = await box.cli(["daemon", "start"]);
    expect(restarted.code).toBe(0);
    const report = statusJson(await box.cli(["daemon", "status", "--json"]));
    expect(report.state).toBe("running");
    expect(report.pid).not.toBe(pid);
  });

  test("a corrupt database is left in place by commands and moved aside by the daemon, logged, every copy 0600", async () => {
    await using box = createSandbox();
    const garbage = "this is not a database, just garbage bytes ".repeat(200);
    for (const suffix of ["", "-wal", "-shm"]) writeFileSync(join(box.home, `remcli.db${suffix}`), garbage, { mode: 0o644 });

    // A command that only reads says so and moves nothing: that is the daemon's job.
    for (const args of [["daemon", "status"], ["doctor"], ["daemon", "list"]]) {
      const result = await box.cli(args);
      expect({ args, code: result.code }).toEqual({ args, code: 1 });
      expect(result.stderr).toContain("is corrupt — `remcli daemon start` moves it aside");
      expect(result.stderr).not.toContain("--debug");
    }
    expect(readdirSync(box.home).filter((name) => name.includes(".corrupt-"))).toEqual([]);

    const started = await box.cli(["daemon", "start"]);
    expect(started.code).toBe(0);
    expect(started.stdout).toContain("remcli daemon started");
    expect(started.stderr).toContain("is corrupt; the daemon moves it aside as it starts");
    const aside = readdirSync(box.home).filter((name) => name.startsWith("remcli.db.corrupt-")).sort();
    expect(aside.length).toBe(3);
    for (const name of aside) expect({ name, mode: mode(join(box.home, name)) }).toEqual({ name, mode: 0o600 });
    const log = readFileSync(join(box.home, "logs", "daemon.log"), "utf8");
    expect(log).toMatch(/error database corrupt, moved aside path=\S+remcli\.db movedTo=\S+remcli\.db\.corrupt-\S+-wal/);
    expect(statusJson(await box.cli(["daemon", "status", "--json"])).state).toBe("running");
  });

  test("home is 0700 and the database, key and log are 0600", async () => {
    await using box = createSandbox();
    await box.cli(["daemon", "start"]);
    expect(mode(box.home)).toBe(0o700);
    expect(mode(join(box.home, "logs"))).toBe(0o700);
    for (const file of ["remcli.db", "control.key", "daemon.lock", "logs/daemon.log"]) {
      expect({ file, mode: mode(join(box.home, file)) }).toEqual({ file, mode: 0o600 });
    }
  });

  test("SIGTERM twice and /stop together shut down once, with one recorded reason", async () => {
    await using box = createSandbox();
    await box.cli(["daemon", "start"]);
    const { pid } = statusJson(await box.cli(["daemon", "status", "--json"]));
    process.kill(pid, "SIGTERM");
    process.kill(pid, "SIGTERM");
    const stop = await box.cli(["daemon", "stop"]);
    expect(stop.code).toBe(0);
    await eventually("the daemon to exit", () => (isAlive(pid) ? undefined : true));
    const stoppedEntries = box.history().filter((h) => h.pid === pid && h.state === "stopped");
    expect(stoppedEntries.length).toBe(1);
    expect(box.row()).toMatchObject({ state: "stopped", state_reason: "SIGTERM" });
    expect(existsSync(join(box.home, "daemon.lock"))).toBe(false);
  });

  test("a daemon that does not stop in time is killed, and stop still exits 0", async () => {
    await using box = createSandbox({ REMCLI_STOP_TIMEOUT_MS: "500" });
    await box.cli(["daemon", "start"]);
    const { pid } = statusJson(await box.cli(["daemon", "status", "--json"]));
    process.kill(pid, "SIGSTOP");
    const stop = await box.cli(["daemon", "stop"]);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain("SIGKILL");
    expect(isAlive(pid)).toBe(false);
    expect(String(box.row()?.state_reason)).toContain("killed with SIGKILL");
  });

  test("the heartbeat refreshes lastHeartbeat", async () => {
    await using box = createSandbox({ REMCLI_HEARTBEAT_MS: "100" });
    await box.cli(["daemon", "start"]);
    const first = String(box.row()?.last_heartbeat);
    await eventually("a newer heartbeat", () => (String(box.row()?.last_heartbeat) > first ? true : undefined));
  });

  test("logs prints the last lines of the daemon log", async () => {
    await using box = createSandbox();
    await box.cli(["daemon", "start"]);
    await box.cli(["daemon", "stop"]);
    const logs = await box.cli(["daemon", "logs", "-n", "2"]);
    expect(logs.code).toBe(0);
    const lines = logs.stdout.trim().split("\n");
    expect(lines.length).toBe(2);
    expect(lines[1]).toContain("daemon exited");
  });
});
