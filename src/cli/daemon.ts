import { cac } from "cac";
import { runDaemon } from "../daemon/lifecycle.ts";
import { launchDaemon } from "../daemon/launch.ts";
import { stopDaemon } from "../daemon/stop.ts";
import { VERSION } from "../shared/version.ts";
import { cliContext, openCliStore } from "./context.ts";
import { formatStatus, statusReport } from "./daemon-status.ts";
import { formatError } from "./format-error.ts";
import { printLogs } from "./logs.ts";

/** `remcli daemon …`: one cac program for the group, so each subcommand has its own help. */
export function daemonProgram() {
  const cli = cac("remcli daemon");

  cli
    .command("start", "Start the daemon in the background and wait until it is ready")
    .action(
      async () => {
        const context = cliContext();
        using store = openCliStore(context);
        const result = await launchDaemon(context.config, context.paths, store);
        if (!result.ok) {
          console.error(formatError(result.error));
          return 1;
        }
        const { how, daemon, replacedVersion } = result.data;
        const headline = {
          started: `remcli daemon started (version ${daemon.version}, pid ${daemon.pid})`,
          "already-running": `remcli daemon is already running (version ${daemon.version}, pid ${daemon.pid})`,
          replaced: `remcli daemon replaced version ${replacedVersion} with ${daemon.version} (pid ${daemon.pid})`,
        }[how];
        console.log(headline);
        console.log(`  control  127.0.0.1:${daemon.controlPort}`);
        console.log(`  log      ${daemon.logPath}`);
        return 0;
      },
    );

  cli
    .command("start-sync", "Run the daemon in the foreground (what `start` runs)")
    .option("--replacing <version>", "Internal: the version this daemon replaces")
    .action(
      async (options: { replacing?: string }) => {
        const context = cliContext();
        await runDaemon(context.config, {
          replacing: options.replacing,
          echoLog: Boolean(process.stderr.isTTY),
        });
        // Stay in the foreground: the servers keep the process alive until shutdown exits it.
        return new Promise<number>(() => {});
      },
    );

  cli.command("stop", "Stop the daemon (SIGKILL if it does not stop in time)").action(
    async () => {
      const context = cliContext();
      using store = openCliStore(context);
      const result = await stopDaemon(context.config, context.paths, store);
      if (!result.ok) {
        console.error(formatError(result.error));
        return 1;
      }
      const { how, pid } = result.data;
      console.log(
        {
          "not-running": "remcli daemon is not running; nothing to stop",
          graceful: `remcli daemon stopped (pid ${pid})`,
          terminated: `remcli daemon did not answer its control port; stopped it with SIGTERM (pid ${pid})`,
          killed: `remcli daemon did not stop in time; killed it with SIGKILL (pid ${pid})`,
        }[how],
      );
      return 0;
    },
  );

  cli
    .command("status", "Show whether the daemon runs (exit 0 when it does)")
    .option("--json", "Print one JSON object")
    .action(
      (options: { json?: boolean }) => {
        const report = statusReport(cliContext());
        console.log(options.json ? JSON.stringify(report, null, 2) : formatStatus(report));
        return report.running ? 0 : 1;
      },
    );

  cli
    .command("logs", "Print the daemon log")
    .option("-f, --follow", "Keep printing new lines")
    .option("-n, --lines <count>", "How many lines to print first", { default: 50 })
    .action(
      async (options: { follow?: boolean; lines: number | string }) => {
        const lines = Number(options.lines);
        if (!Number.isInteger(lines) || lines < 0) {
          console.error("remcli: --lines takes a whole number");
          return 2;
        }
        await printLogs(cliContext().paths.daemonLog, { lines, follow: Boolean(options.follow) });
        return 0;
      },
    );

  cli.help();
  cli.version(VERSION);
  return cli;
}
