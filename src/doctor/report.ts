import { resolve } from "node:path";
import { observeDaemon } from "../daemon/observe.ts";
import type { Paths } from "../shared/paths.ts";
import { isSameProcessAlive } from "../shared/process-identity.ts";
import { VERSION } from "../shared/version.ts";
import type { ChildRow } from "../store/children.ts";
import type { Store } from "../store/store.ts";
import { classify, type Classified } from "./classify.ts";
import { listProcesses, type ProcessInfo } from "./process-table.ts";

export type DoctorReport = {
  home: string;
  logPath: string;
  cliVersion: string;
  daemon: {
    state: string;
    stateReason: string;
    pid: number | null;
    version: string | null;
    alive: boolean;
    startedAt: string | null;
    lastHeartbeat: string | null;
  };
  processes: Classified[];
  /** Rows that say a child runs while its process is gone: what `clean` closes. */
  staleChildren: ChildRow[];
};

/**
 * The processes of this user that belong to this home. A process whose environment
 * we cannot read (macOS `ps`) is counted in: there is no way to tell its home, and the
 * children table still decides whether a daemon owns it.
 */
function ofThisHome(info: ProcessInfo, home: string): boolean {
  if (info.uid !== process.getuid?.()) return false;
  return info.home === undefined || (info.home !== null && resolve(info.home) === home);
}

export function doctorReport(paths: Paths, store: Store): DoctorReport {
  const home = resolve(paths.home);
  const { row, alive } = observeDaemon(store.daemon, "`remcli doctor`");
  const openChildren = store.children.open();
  const processes = classify({
    processes: listProcesses().filter((info) => ofThisHome(info, home)),
    openChildren,
    daemon: row?.pid ? { pid: row.pid, alive } : null,
    selfPid: process.pid,
  });
  return {
    home,
    logPath: row?.logPath ?? paths.daemonLog,
    cliVersion: VERSION,
    daemon: {
      state: row?.state ?? "stopped",
      stateReason: row?.stateReason ?? "never started",
      pid: row?.pid ?? null,
      version: row?.version ?? null,
      alive,
      startedAt: row?.startedAt ?? null,
      lastHeartbeat: row?.lastHeartbeat ?? null,
    },
    processes,
    staleChildren: openChildren.filter((child) => !isSameProcessAlive(child.pid, child.pidStart)),
  };
}

export function formatDoctorReport(report: DoctorReport): string {
  const { daemon } = report;
  const lines = [
    `remcli ${report.cliVersion}  home ${report.home}`,
    `daemon   ${daemon.alive ? "alive" : "not running"}  state ${daemon.state}: ${daemon.stateReason}`,
    `         pid ${daemon.pid ?? "-"}  version ${daemon.version ?? "-"}  heartbeat ${daemon.lastHeartbeat ?? "-"}`,
    `log      ${report.logPath}`,
    "",
    report.processes.length === 0 ? "no remcli processes" : "processes",
  ];
  for (const p of report.processes) {
    lines.push(`  ${String(p.pid).padStart(7)}  ${p.category.padEnd(22)}  ${p.why}  (${p.args.join(" ")})`);
  }
  for (const child of report.staleChildren) {
    lines.push(`  ${String(child.pid).padStart(7)}  ${"gone".padEnd(22)}  recorded as running, process is gone`);
  }
  const orphans = report.processes.filter((p) => p.category === "orphan").length;
  if (orphans > 0 || report.staleChildren.length > 0) {
    lines.push("", "run `remcli doctor clean` to stop the orphans and close stale records");
  }
  return lines.join("\n");
}
