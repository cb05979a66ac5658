import { describe, expect, test } from "bun:test";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { cleanProcesses } from "../../src/doctor/clean.ts";
import { listProcessesWithPs } from "../../src/doctor/process-table.ts";
import type { DoctorReport } from "../../src/doctor/report.ts";
import { processStartToken, psStartToken } from "../../src/shared/process-identity.ts";
import { silentLog } from "../../src/shared/log.ts";
import { openStore } from "../../src/store/store.ts";
import { createSandbox, eventually, isAlive, type Sandbox } from "../helpers/sandbox.ts";

/**
 * A live process that doctor takes for a remcli session of `box`'s home nobody owns: an
 * executable named `remcli-…` (a link to sleep) with that home in its environment.
 */
function fakeOrphan(box: Sandbox) {
  const bin = join(box.home, "bin");
  mkdirSync(bin, { recursive: true });
  const link = join(bin, `remcli-orphan-${crypto.randomUUID().slice(0, 8)}`);
  symlinkSync(Bun.which("sleep")!, link);
  return Bun.spawn([link, "300"], { env: { REMCLI_HOME: box.home }, stdio: ["ignore", "ignore", "ignore"] });
}

describe("doctor clean", () => {
  test("on Linux it reads each orphan's start time from /proc and stops it", async () => {
    await using box = createSandbox();
    const orphan = fakeOrphan(box);
    const report = JSON.parse((await box.cli(["doctor", "--json"])).stdout);
    const found = report.processes.find((p: { pid: number }) => p.pid === orphan.pid);
    expect(found).toMatchObject({ category: "orphan", why: "no daemon tracks it", startToken: processStartToken(orphan.pid) });
    expect(found.startToken).toMatch(/^[0-9a-f-]+:\d+$/);

    const cleaned = await box.cli(["doctor", "clean"]);
    expect(cleaned.stdout).toContain(`orphan pid ${orphan.pid}: stopped with SIGTERM`);
    await eventually("the orphan to be gone", () => (isAlive(orphan.pid) ? undefined : true));
  });

  test("a process whose start time could not be read is never signalled", async () => {
    await using box = createSandbox();
    const orphan = fakeOrphan(box);
    using store = openStore(join(box.home, "remcli.db"), silentLog);
    const report: DoctorReport = {
      home: box.home,
      logPath: join(box.home, "logs", "daemon.log"),
      cliVersion: "test",
      daemon: { state: "stopped", stateReason: "never started", pid: null, version: null, alive: false, startedAt: null, lastHeartbeat: null },
      // What a process table gives when it cannot read a start time (a ps that failed, a /proc that refused).
      processes: [{ pid: orphan.pid, ppid: process.pid, uid: process.getuid!(), args: ["remcli"], startToken: null, cwd: null, home: box.home, category: "orphan", why: "no daemon tracks it", childId: null }],
      staleChildren: [],
    };
    const cleaned = await cleanProcesses(report, store, { all: false });
    expect(cleaned).toEqual([{ pid: orphan.pid, category: "orphan", how: "identity-unknown" }]);
    expect(isAlive(orphan.pid)).toBe(true);
    orphan.kill();
  });

  test("the ps listing (macOS's path) gives each process the start time ps gives for its pid alone", async () => {
    await using box = createSandbox();
    const orphan = fakeOrphan(box);
    const listed = listProcessesWithPs().find((p) => p.pid === orphan.pid);
    expect(listed?.startToken).toBeTruthy();
    expect(listed!.startToken).toBe(psStartToken(orphan.pid)!);
    expect(listed!.args[0]).toContain("remcli-orphan-");
    expect(listProcessesWithPs().filter((p) => p.startToken === null)).toEqual([]);
    orphan.kill();
  });
});
