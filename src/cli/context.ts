import { loadConfig, type Config } from "../shared/env.ts";
import { silentLog } from "../shared/log.ts";
import { ensureHome, pathsFor, type Paths } from "../shared/paths.ts";
import { databaseExists } from "../store/db.ts";
import { openStore, type Store } from "../store/store.ts";

export type CliContext = { config: Config; paths: Paths };

export function cliContext(): CliContext {
  const config = loadConfig();
  return { config, paths: pathsFor(config.home) };
}

/** Opens the state database for a command, creating the home if needed. */
export function openCliStore({ paths }: CliContext): Store {
  ensureHome(paths);
  return openStore(paths.database, silentLog);
}

/** Like openCliStore, but null when the daemon never ran here (nothing is created). */
export function openExistingStore(context: CliContext): Store | null {
  return databaseExists(context.paths.database) ? openCliStore(context) : null;
}
