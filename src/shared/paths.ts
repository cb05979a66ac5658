import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";

export type Paths = Readonly<{
  home: string;
  database: string;
  lock: string;
  /** Where the running daemon says it is (daemon/address-file): what sessions read, never the database. */
  daemonAddress: string;
  controlKey: string;
  p2pSecret: string;
  vapidKey: string;
  logDir: string;
  daemonLog: string;
  /** What session processes say: their output when the daemon spawned them, and their RPC calls. */
  sessionsLog: string;
}>;

export function pathsFor(home: string): Paths {
  const logDir = join(home, "logs");
  return Object.freeze({
    home,
    database: join(home, "remcli.db"),
    lock: join(home, "daemon.lock"),
    daemonAddress: join(home, "daemon.json"),
    controlKey: join(home, "control.key"),
    p2pSecret: join(home, "p2p.secret"),
    vapidKey: join(home, "vapid.key"),
    logDir,
    daemonLog: join(logDir, "daemon.log"),
    sessionsLog: join(logDir, "sessions.log"),
  });
}

/** Creates the home and log folders private to the user (0700), fixing looser modes. */
export function ensureHome(paths: Paths): void {
  for (const dir of [paths.home, paths.logDir]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  }
}
