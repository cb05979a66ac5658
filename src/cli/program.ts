import { cac, type CAC } from "cac";
import { EXIT, UsageError } from "./errors.ts";
import { unknownFlag, nearest } from "./flags.ts";
import { failureOf } from "./format-error.ts";
import { standardFlags, visibleCommands } from "./help.ts";
import type { SessionOptions } from "./session.ts";
import type { UpdateOptions } from "./update.ts";

/**
 * Command groups with subcommands of their own; cac itself knows one word per command.
 * Each command's code loads only when it runs: a session process (one per agent, long
 * lived) should not carry the daemon's server, the doctor or the updater in memory.
 */
const GROUPS: Record<string, () => Promise<CAC>> = {
  daemon: async () => (await import("./daemon.ts")).daemonProgram(),
  doctor: async () => (await import("./doctor.ts")).doctorProgram(),
  notify: async () => (await import("./notify.ts")).notifyProgram(),
};

function rootProgram(): CAC {
  const cli = cac("remcli");
  cli
    .command("[...args]", "Run an agent session in this directory (starts the daemon if needed); agent flags go after --")
    .option("--starting-mode <mode>", "local (this terminal) or remote (driven from the phone)")
    .option("--started-by <who>", "daemon or terminal (set by the daemon for the sessions it spawns)")
    .option("--agent <agent>", "claude (default), gemini, codex or opencode")
    .option("--resume-tag <tag>", "continue the session of this tag (set by the daemon for a resume)")
    .action(async (_args: string[], options: SessionOptions) => (await import("./session.ts")).sessionCommand(options));
  cli.command("daemon <command>", "Manage the background daemon (start, stop, status, logs, qr, list, restart-session)");
  cli.command("doctor [command]", "Find remcli processes and what owns them; `doctor clean` stops the orphans");
  cli.command("notify <command>", "Where notifications go: status, test, ntfy, command, on, off, contact, forget");
  cli
    .command("update", "Install a new remcli binary and have the running daemon switch to it now")
    .option("--from <file|url>", "The new binary: a local file or an https URL")
    .option("--sha256 <hex>", "Refuse the new binary unless its SHA-256 is this (enough on its own)")
    .option("--signature <file|url>", "Its release signature (default: <from>.sig unless --sha256 is given)")
    .option("--rollback", "Put back the binary the last update replaced")
    .action(async (options: UpdateOptions) => (await import("./update.ts")).updateCommand(options));
  return standardFlags(cli);
}

const didYouMean = (meant: string | undefined) => (meant ? `; did you mean \`${meant}\`?` : "");

const unknownCommand = (cli: CAC, word: string) =>
  new UsageError(`unknown command \`${word}\`${didYouMean(nearest(word, visibleCommands(cli)))}`);

/** A usage mistake cac finds itself (a missing value, a missing argument) is ours too. */
const asUsage = (error: unknown) =>
  error instanceof Error && error.name === "CACError" ? new UsageError(error.message) : error;

/** Refuses a word that is no command, and a flag the matched command does not take. */
function checkUsage(cli: CAC, argv: string[], isRoot: boolean): void {
  const command = cli.matchedCommand!;
  const [word] = cli.args;
  if (command.name === "" && word !== undefined) throw unknownCommand(cli, word);
  const unknown = unknownFlag(argv, [command, cli.globalCommand]);
  if (!unknown) return;
  // remcli's own flags come first; the agent's go after `--` (`remcli -- --resume`).
  const forAgent = isRoot && command.name === "" && !unknown.meant ? `; flags for the agent go after \`--\`: \`remcli -- ${unknown.flag}\`` : "";
  throw new UsageError(`unknown option \`${unknown.flag}\`${didYouMean(unknown.meant)}${forAgent}`);
}

/** Parses and runs one program; every error of every command leaves through here. */
async function runProgram(cli: CAC, argv: string[], { debug, isRoot }: { debug: boolean; isRoot: boolean }): Promise<number> {
  try {
    cli.parse(["remcli", cli.name, ...argv], { run: false });
    if (cli.options.help || cli.options.version) return EXIT.ok;
    if (!cli.matchedCommand) {
      const [word] = cli.args;
      if (word === undefined) {
        cli.outputHelp();
        return EXIT.ok;
      }
      throw unknownCommand(cli, word);
    }
    checkUsage(cli, argv, isRoot);
    const code: unknown = await cli.runMatchedCommand();
    return typeof code === "number" ? code : EXIT.ok;
  } catch (error) {
    const failure = failureOf(asUsage(error), debug);
    console.error(failure.help ? `${failure.message}\n` : failure.message);
    if (failure.help) cli.outputHelp();
    return failure.code;
  }
}

/** Runs the CLI on `argv` (without the executable) and returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const dashes = argv.indexOf("--");
  const debug = (dashes === -1 ? argv : argv.slice(0, dashes)).includes("--debug");
  const [first, ...rest] = argv;
  const group = first === undefined ? undefined : GROUPS[first];
  if (group) return runProgram(await group(), rest, { debug, isRoot: false });
  return runProgram(rootProgram(), argv, { debug, isRoot: true });
}
