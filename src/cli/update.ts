import { connectDaemon } from "../daemon/connect.ts";
import { observeDaemon } from "../daemon/observe.ts";
import { installedBinary } from "../shared/own-binary.ts";
import { isoNow, waitFor } from "../shared/time.ts";
import { wasRolledBack } from "../daemon/supervised-rollback.ts";
import { RELEASE_KEY } from "../shared/version.ts";
import { installBinary, previousOf, rollbackBinary } from "../update/install.ts";
import { keyIdOf } from "../update/release-signature.ts";
import { cliContext, openCliStore, type CliContext } from "./context.ts";
import { CommandFailed, UsageError, unwrap } from "./errors.ts";
import { rawOption } from "./raw-option.ts";

export type UpdateOptions = { from?: string; sha256?: unknown; signature?: string; rollback?: boolean };

/**
 * `remcli update --from <file|url> [--sha256 hex] [--signature <file|url>]` and `remcli
 * update --rollback`: replaces the installed binary, then has the running daemon hand
 * over to it now. What vouches for the new binary: src/update/trust.ts.
 */
export async function updateCommand(options: UpdateOptions): Promise<number> {
  if (Boolean(options.from) === Boolean(options.rollback)) throw new UsageError("give either --from <file|url> or --rollback");
  if (options.rollback && (options.sha256 !== undefined || options.signature !== undefined)) {
    throw new UsageError("--sha256 and --signature check a new binary given with --from, not --rollback");
  }
  const sha256 = options.sha256 === undefined ? undefined : rawOption(process.argv, "--sha256");
  if (sha256 !== undefined && !/^[0-9a-f]{64}$/i.test(sha256)) throw new UsageError("--sha256 takes 64 hex digits");
  const install = installedBinary();
  if (!install) {
    const message = "this remcli runs from source, so there is no installed binary to replace (see `bun run build`)";
    throw new CommandFailed({ code: "unavailable", message });
  }
  const installed = options.rollback
    ? await rollbackBinary(install)
    : await installBinary(install, String(options.from), { sha256, signature: options.signature }, RELEASE_KEY);
  const { version, releaseKey } = unwrap(installed);
  console.log(`installed remcli ${version} at ${install} (the previous binary is ${previousOf(install)})`);
  const mine = RELEASE_KEY ? keyIdOf(RELEASE_KEY) : null;
  if (releaseKey !== mine) {
    console.log(
      releaseKey
        ? `note: remcli ${version} accepts updates signed by release key ${releaseKey} (this one trusted ${mine ? `release key ${mine}` : "none"})`
        : `note: remcli ${version} has no release key (a development build): updating it will need --sha256`,
    );
  }
  return takeOver(cliContext(), install, version);
}

/** Asks the running daemon to look at its binary now, and waits for its successor. */
async function takeOver(context: CliContext, install: string, version: string): Promise<number> {
  using store = openCliStore(context);
  const connected = connectDaemon(context.paths, store, "`remcli update`");
  if (!connected.ok) {
    console.log(`the daemon is not running; \`remcli daemon start\` starts version ${version}`);
    return 0;
  }
  const { row, control } = connected.data;
  const started = performance.now();
  const asked = isoNow();
  const answer = unwrap(await control.call("checkUpdate", {}));
  if (answer.outcome === "rejected") {
    console.error(`remcli update: the daemon refused the new binary and keeps running version ${row.version}: ${answer.reason}`);
    return 1;
  }
  if (answer.outcome === "same-version") {
    console.log(`the daemon already runs version ${version}`);
    return 0;
  }
  if (answer.outcome !== "replacing") {
    // The daemon runs from another file (or from source): start the installed one, which takes over.
    const start = Bun.spawn([install, "daemon", "start", "--no-qr"], { stdio: ["ignore", "inherit", "inherit"] });
    return (await start.exited) === 0 ? 0 : 1;
  }
  const deadline = context.config.startTimeoutMs + context.config.stopTimeoutMs;
  // Any daemon but the old process ends the wait: the new version, or the old version
  // started again because the new one could not start (daemon/launch.ts).
  const successor = await waitFor(
    () => {
      const seen = observeDaemon(store.daemon, "`remcli update`");
      return seen.alive && seen.row?.state === "running" && seen.row.pid !== row.pid ? seen.row : undefined;
    },
    { timeoutMs: deadline },
  );
  if (!successor) {
    console.error(`remcli update: the daemon did not come back as version ${version} within ${deadline} ms; see \`remcli daemon logs\``);
    return 1;
  }
  if (successor.version !== version && wasRolledBack(store.daemon.history(), version, asked)) {
    // Under a service the new daemon put the old binary back itself (daemon/supervised-rollback.ts).
    console.error(
      `remcli update: version ${version} could not start (see \`remcli daemon logs\`); it rolled back: version ${successor.version} ` +
        `is the installed binary again and serves (pid ${successor.pid}); version ${version} is ${previousOf(install)}`,
    );
    return 1;
  }
  if (successor.version !== version) {
    console.error(
      `remcli update: version ${version} could not start (see \`remcli daemon logs\`); version ${successor.version} serves again (pid ${successor.pid}). ` +
        `\`remcli update --rollback\` puts it back in place as the installed binary`,
    );
    return 1;
  }
  const ms = Math.round(performance.now() - started);
  console.log(`the daemon now runs version ${version} (pid ${successor.pid}; handed over in ${ms} ms)`);
  return 0;
}
