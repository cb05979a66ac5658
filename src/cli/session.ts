import { readDaemonAddress, type DaemonAddress } from "../agent/daemon-address.ts";
import { readSecret } from "../shared/secret-file.ts";
import type { DaemonRow } from "../store/daemon-state.ts";
import { readDaemonAddressFile } from "../shared/daemon-address-file.ts";
import { isSameProcessAlive } from "../shared/process-identity.ts";
import type { Paths } from "../shared/paths.ts";
import { AgentKind } from "../protocol/rpc.ts";
import { isRunnable, RUNNABLE_AGENTS } from "../sessions/agents.ts";
import { openTerminal } from "../agent/terminal.ts";
import { StartedBy } from "../protocol/control.ts";
import { dropRuntimeFlags } from "../shared/env.ts";
import { cliContext, openStoreForStart } from "./context.ts";
import { CommandFailed, UsageError, unwrap } from "./errors.ts";

export type SessionOptions = { startingMode?: string; startedBy?: string; agent?: string; resumeTag?: string; "--"?: string[] };

/**
 * `remcli` with no command: a session in this directory. From a terminal it first
 * makes sure the daemon runs (and says when it had to start it) and runs the agent
 * in local mode; the daemon spawns its own sessions with `--started-by daemon`, in
 * remote mode. Arguments after `--` go to the agent (`remcli -- --resume`).
 */
export async function sessionCommand(options: SessionOptions): Promise<number> {
  dropRuntimeFlags();
  const who = StartedBy.safeParse(options.startedBy ?? "terminal");
  if (!who.success) throw new UsageError("--started-by is daemon or terminal");
  const startedBy = who.data;
  if (options.startingMode !== undefined && options.startingMode !== "remote" && options.startingMode !== "local") {
    throw new UsageError("--starting-mode is local or remote");
  }
  const agent = AgentKind.safeParse(options.agent ?? "claude");
  if (!agent.success || !isRunnable(agent.data)) throw new UsageError(`--agent is one of ${RUNNABLE_AGENTS.join(", ")}`);
  const context = cliContext();
  // A daemon that has written its address file and still runs is all a session needs:
  // the database is the daemon's, and is opened here only to start one.
  let olderDaemon: DaemonAddress | null = null;
  if (startedBy === "terminal" && !daemonLooksAlive(context.paths)) {
    // Loaded only here: the daemon's own sessions (and their memory) never need the launch code.
    const { observeDaemon } = await import("../daemon/observe.ts");
    const { launchDaemon } = await import("../daemon/launch.ts");
    using store = openStoreForStart(context);
    const seen = store ? observeDaemon(store.daemon, "`remcli`") : null;
    if (!seen?.alive) {
      const { daemon } = unwrap(await launchDaemon(context.config, context.paths, store));
      console.error(`remcli: started the daemon (pid ${daemon.pid}); pair your phone with \`remcli daemon qr\``);
    } else if (seen.row && store) olderDaemon = addressOfRow(context.paths, seen.row, store.settings.get("machine_id"));
  }
  const daemon = readDaemonAddress(context.paths) ?? olderDaemon;
  if (!daemon) throw new CommandFailed({ code: "not_running", message: "the daemon is not running" });
  // Local mode needs a terminal to give the agent; without one the phone drives.
  const terminal = startedBy === "terminal" ? openTerminal() : null;
  const startingMode = options.startingMode ?? (terminal ? "local" : "remote");
  // The agent runner (and the Agent SDK) loads only in session processes, not in every command.
  const { runSessionProcess } = await import("../agent/session-process.ts");
  return runSessionProcess({
    config: context.config,
    paths: context.paths,
    daemon,
    startedBy,
    startingMode: startingMode === "local" && terminal ? "local" : "remote",
    directory: process.cwd(),
    agentArgs: options["--"] ?? [],
    terminal,
    say: (line) => console.error(line),
    agent: agent.data,
    resumeTag: options.resumeTag,
  });
}

function daemonLooksAlive(paths: Paths): boolean {
  const file = readDaemonAddressFile(paths.daemonAddress);
  return file !== null && isSameProcessAlive(file.pid, file.pidStart);
}

/**
 * A running daemon from before daemon.json (the file is missing but its row says it
 * runs): its address as its row says, read once here by the CLI, never by the session,
 * which re-reads only the file (and keeps this address until there is one).
 */
function addressOfRow(paths: Paths, row: DaemonRow, machineId: string | null): DaemonAddress | null {
  const secret = readSecret(paths.p2pSecret);
  const controlKey = readSecret(paths.controlKey);
  if (row.state !== "running" || !row.p2pHost || !row.p2pPort || !row.controlPort || !secret || !controlKey) return null;
  return {
    base: `http://${row.p2pHost}:${row.p2pPort}`,
    secret,
    controlPort: row.controlPort,
    controlKey,
    machineId,
    version: row.version ?? "unknown",
  };
}
