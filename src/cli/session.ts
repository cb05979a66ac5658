import { readDaemonAddress } from "../agent/daemon-address.ts";
import { runSessionProcess } from "../agent/session-process.ts";
import { launchDaemon } from "../daemon/launch.ts";
import { observeDaemon } from "../daemon/observe.ts";
import { cliContext, openCliStore } from "./context.ts";
import { formatError } from "./format-error.ts";

export type SessionOptions = { startingMode?: string; startedBy?: string };

/**
 * `remcli` with no command: a session in this directory. From a terminal it first
 * makes sure the daemon runs (and says when it had to start it); the daemon spawns
 * its own sessions with `--started-by daemon`.
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
  return runSessionProcess({
    config: context.config,
    paths: context.paths,
    daemon,
    startedBy,
    directory: process.cwd(),
    say: (line) => console.error(line),
  });
}
