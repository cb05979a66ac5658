import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fail, ok, type Result } from "../shared/result.ts";
import { launchdPlist, LAUNCHD_LABEL } from "./launchd-plist.ts";
import type { ServiceManagerName, ServiceSpec } from "./spec.ts";
import { systemdUnit, UNIT_NAME } from "./systemd-unit.ts";
import { runTool, toolFailure } from "./tool.ts";

export type ServiceState = {
  manager: ServiceManagerName;
  /** The unit or plist file. */
  file: string;
  installed: boolean;
  /** Starts at login: `systemctl --user is-enabled`, or loaded into launchd. */
  enabled: boolean;
  /** Its process runs now, as the manager sees it. */
  active: boolean;
};

export type ServiceManager = {
  name: ServiceManagerName;
  file: string;
  /** Writes the file, has the manager read it, enables it for login and (re)starts it. */
  install(spec: ServiceSpec): Promise<Result<void>>;
  /** Starts the installed service now (after `daemon stop`, say). */
  start(): Promise<Result<void>>;
  /** Stops it, disables it and removes the file; nothing to do is no error. */
  uninstall(): Promise<Result<{ wasInstalled: boolean }>>;
  state(): Promise<ServiceState>;
  /** The text `install` would write, for a test or `--dry-run`. */
  render(spec: ServiceSpec): string;
};

/** Written beside and renamed over: a manager never reads half a file. 0600: it may hold a tunnel token. */
function writeAtomically(file: string, text: string) {
  mkdirSync(dirname(file), { recursive: true });
  const staged = `${file}.new-${process.pid}`;
  writeFileSync(staged, text, { mode: 0o600 });
  renameSync(staged, file);
}

/** Runs each command in order, stopping at the first that fails. */
async function steps(commands: string[][]): Promise<Result<void>> {
  for (const argv of commands) {
    const outcome = await runTool(argv);
    if (outcome.missing) return fail("unavailable", `${argv[0]} is not on PATH, so this machine's service manager cannot be told about remcli`);
    if (outcome.exitCode !== 0) return fail("unavailable", toolFailure(argv, outcome));
  }
  return ok(undefined);
}

const succeeds = async (argv: string[]) => (await runTool(argv)).exitCode === 0;

export function systemdManager(configDir: string): ServiceManager {
  const file = join(configDir, "systemd", "user", UNIT_NAME);
  const ctl = (...args: string[]) => ["systemctl", "--user", ...args];
  return {
    name: "systemd",
    file,
    render: systemdUnit,
    async install(spec) {
      writeAtomically(file, systemdUnit(spec));
      // restart, not start: a reinstall replaces a daemon of the old unit with one of the new.
      return steps([ctl("daemon-reload"), ctl("enable", UNIT_NAME), ctl("restart", UNIT_NAME)]);
    },
    start: () => steps([ctl("start", UNIT_NAME)]),
    async uninstall() {
      if (!existsSync(file)) return ok({ wasInstalled: false });
      // Stopped by systemd: a SIGTERM, which the daemon answers with a clean shutdown.
      const stopped = await steps([ctl("disable", "--now", UNIT_NAME)]);
      if (!stopped.ok) return stopped;
      rmSync(file, { force: true });
      const reloaded = await steps([ctl("daemon-reload")]);
      return reloaded.ok ? ok({ wasInstalled: true }) : reloaded;
    },
    async state() {
      const installed = existsSync(file);
      if (!installed) return { manager: "systemd", file, installed, enabled: false, active: false };
      const [enabled, active] = await Promise.all([succeeds(ctl("is-enabled", "--quiet", UNIT_NAME)), succeeds(ctl("is-active", "--quiet", UNIT_NAME))]);
      return { manager: "systemd", file, installed, enabled, active };
    },
  };
}

export function launchdManager(userHome: string, uid: number): ServiceManager {
  const file = join(userHome, "Library", "LaunchAgents", `${LAUNCHD_LABEL}.plist`);
  const domain = `gui/${uid}`;
  const target = `${domain}/${LAUNCHD_LABEL}`;
  return {
    name: "launchd",
    file,
    render: launchdPlist,
    async install(spec) {
      const loaded = await succeeds(["launchctl", "print", target]);
      // launchd reads a plist once, at bootstrap: a loaded old one goes out first.
      if (loaded) {
        const out = await steps([["launchctl", "bootout", target]]);
        if (!out.ok) return out;
      }
      writeAtomically(file, launchdPlist(spec));
      // enable first: a label once disabled stays disabled across bootstraps.
      return steps([["launchctl", "enable", target], ["launchctl", "bootstrap", domain, file]]);
    },
    // Loaded but not running (it exited cleanly): kickstart runs it; unloaded, bootstrap loads and runs it.
    start: async () => ((await succeeds(["launchctl", "print", target])) ? steps([["launchctl", "kickstart", target]]) : steps([["launchctl", "bootstrap", domain, file]])),
    async uninstall() {
      if (!existsSync(file)) return ok({ wasInstalled: false });
      if (await succeeds(["launchctl", "print", target])) {
        const out = await steps([["launchctl", "bootout", target]]);
        if (!out.ok) return out;
      }
      rmSync(file, { force: true });
      return ok({ wasInstalled: true });
    },
    async state() {
      const installed = existsSync(file);
      if (!installed) return { manager: "launchd", file, installed, enabled: false, active: false };
      const printed = await runTool(["launchctl", "print", target]);
      const enabled = printed.exitCode === 0;
      // `launchctl print` names the job's pid while it runs.
      const active = enabled && /^\s*pid = \d+/m.test(printed.stdout);
      return { manager: "launchd", file, installed, enabled, active };
    },
  };
}

export function serviceManagerFor(config: { serviceManager: ServiceManagerName | null; userConfigDir: string; userHome: string }): ServiceManager | null {
  if (config.serviceManager === "systemd") return systemdManager(config.userConfigDir);
  if (config.serviceManager === "launchd") return launchdManager(config.userHome, process.getuid?.() ?? 0);
  return null;
}
