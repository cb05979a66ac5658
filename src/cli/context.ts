import { loadConfig, type Config } from "../shared/env.ts";
import { silentLog } from "../shared/log.ts";
import { ensureHome, pathsFor, type Paths } from "../shared/paths.ts";
import { databaseExists } from "../store/db.ts";
import { openStoreUnlessCorrupt, type Store } from "../store/store.ts";
import { CommandFailed } from "./errors.ts";

export type CliContext = { config: Config; paths: Paths };

export function cliContext(): CliContext {
  const config = loadConfig();
  return { config, paths: pathsFor(config.home) };
}

/**
 * Opens the state database for a command, creating the home if needed. A corrupt one
 * is not this command's to move aside: the daemon does that as it starts, and logs it.
 */
export function openCliStore(context: CliContext): Store {
  ensureHome(context.paths);
  const store = openStoreUnlessCorrupt(context.paths.database, silentLog);
  if (store) return store;
  throw new CommandFailed({
    code: "unavailable",
    message: `the state database ${context.paths.database} is corrupt — \`remcli daemon start\` moves it aside and starts afresh (see \`remcli daemon logs\`)`,
  });
}

/**
 * For the commands that start the daemon: null when the database is corrupt, and the
 * daemon they start will move it aside (and log it) before anything reads it.
 */
export function openStoreForStart({ paths }: CliContext): Store | null {
  ensureHome(paths);
  const store = openStoreUnlessCorrupt(paths.database, silentLog);
  if (!store) console.error(`remcli: the state database ${paths.database} is corrupt; the daemon moves it aside as it starts (see \`remcli daemon logs\`)`);
  return store;
}

/** Like openCliStore, but null when the daemon never ran here (nothing is created). */
export function openExistingStore(context: CliContext): Store | null {
  return databaseExists(context.paths.database) ? openCliStore(context) : null;
}
