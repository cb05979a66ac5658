/** What a login service runs: the same for systemd and launchd, written in each one's format. */
export type ServiceSpec = {
  /** The program and its arguments: the installed binary's `daemon start-sync --supervised <manager>`. */
  command: string[];
  environment: Readonly<Record<string, string>>;
  /** The daemon's log, where launchd sends what the process prints (systemd keeps it in the journal). */
  logPath: string;
};

/**
 * Exit codes a supervised daemon uses to tell its supervisor what to do next.
 * LOCK_HELD (lifecycle's EXIT_LOCK_HELD): another daemon runs; restarting would only find it again.
 * HANDED_OVER: a new binary is installed; start it (the supervisor runs the same path again).
 */
export const SUPERVISED_EXIT = { LOCK_HELD: 3, HANDED_OVER: 75 } as const;

export type ServiceManagerName = "systemd" | "launchd";
