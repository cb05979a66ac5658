import { cac, type CAC } from "cac";
import { errorMessage } from "../shared/errors.ts";
import { VERSION } from "../shared/version.ts";
import { EXIT_USAGE } from "./cli-error.ts";
import { daemonProgram } from "./daemon.ts";
import { doctorProgram } from "./doctor.ts";
import { agentFlagsAfterDashes, sessionCommand, type SessionOptions } from "./session.ts";
import { updateCommand, type UpdateOptions } from "./update.ts";

/** Command groups with subcommands of their own; cac itself knows one word per command. */
const GROUPS: Record<string, () => CAC> = {
  daemon: daemonProgram,
  doctor: doctorProgram,
};

function rootProgram(): CAC {
  const cli = cac("remcli");
  cli
    .command("[...args]", "Run an agent session in this directory (starts the daemon if needed)")
    .option("--starting-mode <mode>", "local (this terminal) or remote (driven from the phone)")
    .option("--started-by <who>", "daemon or terminal (set by the daemon for the sessions it spawns)")
    .action((args: string[], options: SessionOptions) => {
      if (args.length > 0) return usageError(cli, `unknown command \`${args[0]}\``);
      return sessionCommand(options);
    });
  cli.command("daemon <command>", "Manage the background daemon (start, stop, status, logs, qr, list, start-sync)");
  cli.command("doctor [command]", "Find remcli processes and what owns them; `doctor clean` stops the orphans");
  cli
    .command("update", "Install a new remcli binary and have the running daemon switch to it now")
    .option("--from <file|url>", "The new binary: a local file or an http(s) URL")
    .option("--sha256 <hex>", "Refuse the new binary unless its SHA-256 is this")
    .option("--rollback", "Put back the binary the last update replaced")
    .action((options: UpdateOptions) => updateCommand(options));
  cli.help();
  cli.version(VERSION);
  return cli;
}

function usageError(cli: CAC, message: string): number {
  console.error(`remcli: ${message}\n`);
  cli.outputHelp();
  return EXIT_USAGE;
}

async function runProgram(cli: CAC, argv: string[]): Promise<number> {
  try {
    cli.parse(["remcli", cli.name, ...argv], { run: false });
  } catch (error) {
    return usageError(cli, errorMessage(error));
  }
  if (cli.options.help || cli.options.version) return 0;
  if (!cli.matchedCommand) {
    if (cli.args.length === 0) {
      cli.outputHelp();
      return 0;
    }
    return usageError(cli, `unknown command \`${cli.args[0]}\``);
  }
  try {
    const code: unknown = await cli.runMatchedCommand();
    return typeof code === "number" ? code : 0;
  } catch (error) {
    // cac reports unknown options and missing arguments by throwing before the action runs.
    if ((error as Error).name === "CACError") return usageError(cli, errorMessage(error));
    throw error;
  }
}

/** Runs the CLI on `argv` (without the executable) and returns the exit code. */
export function runCli(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  const group = first === undefined ? undefined : GROUPS[first];
  if (group) return runProgram(group(), rest);
  return runProgram(rootProgram(), agentFlagsAfterDashes(argv));
}
