import { readDaemonAddress } from "../agent/daemon-address.ts";
import { openTerminal } from "../agent/terminal.ts";
import { launchDaemon } from "../daemon/launch.ts";
import { observeDaemon } from "../daemon/observe.ts";
import { cliContext, openCliStore } from "./context.ts";
import { formatError } from "./format-error.ts";

/** remcli's own flags of the default command, with whether each takes a value. */
const OWN_FLAGS = new Map([
  ["--starting-mode", true],
  ["--started-by", true],
  ["--help", false],
  ["-h", false],
  ["--version", false],
  ["-v", false],
]);

/**
 * `remcli --resume`, `remcli -c`, `remcli --model opus`: flags remcli does not know are
 * the agent's. A `--` is put before the first of them, so the CLI parser hands them
 * to the session untouched instead of refusing them.
 */
export function agentFlagsAfterDashes(argv: string[]): string[] {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--" || !arg.startsWith("-")) return argv;
    const [flag] = arg.split("=", 1);
    const takesValue = OWN_FLAGS.get(flag!);
    if (takesValue === undefined) return [...argv.slice(0, i), "--", ...argv.slice(i)];
    if (takesValue && !arg.includes("=")) i++;
  }
  return argv;
}

export type SessionOptions = { startingMode?: string; startedBy?: string; "--"?: string[] };

/**
 * `remcli` with no command: a session in this directory. From a terminal it first
 * makes sure the daemon runs (and says when it had to start it) and runs the agent
 * in local mode; the daemon spawns its own sessions with `--started-by daemon`, in
 * remote mode. Arguments after `--` go to the agent (`remcli -- --resume`).
 */
export async function sessionCommand(options: SessionOptions): Promise<number> {
  const startedBy = options.startedBy ?? "terminal";
  if (startedBy !== "terminal" && startedBy !== "daemon") {
    console.error("remcli: --started-by is daemon or terminal");
    return 2;
  }
  if (options.startingMode !== undefined && options.startingMode !== "remote" && options.startingMode !== "local") {
    console.error("remcli: --starting-mode is local or remote");
    return 2;
  }
  const context = cliContext();
  if (startedBy === "terminal") {
    using store = openCliStore(context);
    if (!observeDaemon(store.daemon, "`remcli`").alive) {
      const launched = await launchDaemon(context.config, context.paths, store);
      if (!launched.ok) {
        console.error(formatError(launched.error));
        return 1;
      }
      console.error(`remcli: started the daemon (pid ${launched.data.daemon.pid}); pair your phone with \`remcli daemon qr\``);
    }
  }
  const daemon = readDaemonAddress(context.paths);
  if (!daemon) {
    console.error(formatError({ code: "not_running", message: "the daemon is not running" }));
    return 1;
  }
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
  });
}
