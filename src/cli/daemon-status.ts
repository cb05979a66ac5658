import { observeDaemon } from "../daemon/observe.ts";
import type { ChildRow } from "../store/children.ts";
import type { DaemonHistoryEntry, DaemonRow } from "../store/daemon-state.ts";
import { isSameProcessAlive } from "../shared/process-identity.ts";
import type { CliContext } from "./context.ts";
import { openExistingStore } from "./context.ts";
import { controlClientOf } from "../daemon/connect.ts";
import type { ReachAddress } from "../protocol/reach.ts";
import { httpEndpoint } from "../protocol/reach.ts";
import { formatAddresses, reachOf } from "./pairing.ts";

export type StatusReport = {
  running: boolean;
  state: DaemonRow["state"];
  stateReason: string;
  pid: number | null;
  version: string | null;
  controlPort: number | null;
  p2pHost: string | null;
  p2pPort: number | null;
  tunnelUrl: string | null;
  /** Every way in, best first (the QR's first), as the running daemon lists them; empty when it does not run. */
  addresses: ReachAddress[];
  startedAt: string | null;
  lastHeartbeat: string | null;
  logPath: string;
  home: string;
  children: Array<ChildRow & { alive: boolean }>;
  history: DaemonHistoryEntry[];
};

/** The daemon's state as `status` reports it: derived from the process table, not trusted. */
export async function statusReport(context: CliContext): Promise<StatusReport> {
  const base = { logPath: context.paths.daemonLog, home: context.paths.home };
  using store = openExistingStore(context) ?? undefined;
  if (!store) {
    return {
      ...base,
      running: false,
      state: "stopped",
      stateReason: "never started",
      pid: null,
      version: null,
      controlPort: null,
      p2pHost: null,
      p2pPort: null,
      tunnelUrl: null,
      addresses: [],
      startedAt: null,
      lastHeartbeat: null,
      children: [],
      history: [],
    };
  }
  const { row, alive } = observeDaemon(store.daemon, "`remcli daemon status`");
  const children = store.children
    .open()
    .map((child) => ({ ...child, alive: isSameProcessAlive(child.pid, child.pidStart) }));
  const running = alive && row?.state === "running";
  const control = running && row ? controlClientOf(context.paths, row) : null;
  const addresses = (control ? await reachOf(control) : null) ?? [];
  return {
    ...base,
    running,
    state: row?.state ?? "stopped",
    stateReason: row?.stateReason ?? "never started",
    pid: row?.pid ?? null,
    version: row?.version ?? null,
    controlPort: row?.controlPort ?? null,
    p2pHost: row?.p2pHost ?? null,
    p2pPort: row?.p2pPort ?? null,
    tunnelUrl: row?.tunnelUrl ?? null,
    addresses,
    startedAt: row?.startedAt ?? null,
    lastHeartbeat: row?.lastHeartbeat ?? null,
    logPath: row?.logPath ?? base.logPath,
    children,
    history: store.daemon.history(10),
  };
}

export function formatStatus(report: StatusReport): string {
  if (!report.running) {
    return `remcli daemon is not running (${report.state}: ${report.stateReason})\n  log  ${report.logPath}`;
  }
  return [
    `remcli daemon is running (pid ${report.pid}, version ${report.version})`,
    `  since      ${report.startedAt}`,
    `  heartbeat  ${report.lastHeartbeat ?? "none yet"}`,
    `  control    127.0.0.1:${report.controlPort}`,
    `  p2p        ${report.p2pHost && report.p2pPort ? httpEndpoint(report.p2pHost, report.p2pPort) : "(none)"}${report.tunnelUrl ? `  tunnel ${report.tunnelUrl}` : ""}`,
    ...(report.addresses.length > 0 ? ["  ways in", formatAddresses(report.addresses)] : []),
    `  sessions   ${report.children.filter((c) => c.kind === "session").length}`,
    `  log        ${report.logPath}`,
  ].join("\n");
}
