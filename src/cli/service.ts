import { httpEndpoint } from "../protocol/reach.ts";
import { observeDaemon } from "../daemon/observe.ts";
import { stopDaemon } from "../daemon/stop.ts";
import { installedBinary, selfCommand } from "../shared/own-binary.ts";
import { waitFor } from "../shared/time.ts";
import { serviceManagerFor, type ServiceManager, type ServiceState } from "../service/manager.ts";
import type { ServiceSpec } from "../service/spec.ts";
import { runTool } from "../service/tool.ts";
import type { DaemonRow } from "../store/daemon-state.ts";
import type { Store } from "../store/store.ts";
import { cliContext, openCliStore, type CliContext } from "./context.ts";
import { CommandFailed, unwrap } from "./errors.ts";

function managerOf(context: CliContext): ServiceManager {
  const manager = serviceManagerFor(context.config);
  if (manager) return manager;
  const message = `remcli has no login service for ${process.platform} (systemd on Linux, launchd on macOS): start it with \`remcli daemon start\` from your login script`;
  throw new CommandFailed({ code: "unavailable", message });
}

/** What the service runs: this binary (or, from source, bun and this checkout) with its environment. */
export function serviceSpec(context: CliContext, manager: ServiceManager, daemonArgs: string[]): ServiceSpec {
  const environment: Record<string, string> = { ...context.config.serviceEnvironment };
  // Only for a tunnel, the token goes in the file (written 0600, as it holds a secret then).
  if (daemonArgs.includes("--tunnel") && context.config.ngrokAuthtoken) environment.NGROK_AUTHTOKEN = context.config.ngrokAuthtoken;
  return {
    command: [...selfCommand(), "daemon", "start-sync", "--supervised", manager.name, ...daemonArgs],
    environment,
    logPath: context.paths.daemonLog,
  };
}

/** On Linux without lingering, a user's services run only while they are logged in. */
async function lingerNote(userName: string | undefined): Promise<string> {
  const user = userName ?? "$USER";
  const answer = await runTool(["loginctl", "show-user", user, "--property=Linger", "--value"]);
  if (answer.exitCode === 0 && answer.stdout.trim() === "yes") return `lingering is on for ${user}: the daemon starts at boot, before anyone logs in`;
  return [
    "the daemon starts when you log in and stops when your last session ends.",
    `  On a headless machine (a server, a box you reach by ssh) have it start at boot instead:`,
    `    sudo loginctl enable-linger ${user}`,
  ].join("\n");
}

/** Waits for a daemon other than `before` to say it serves. */
function serving(store: Store, before: number | null, timeoutMs: number): Promise<DaemonRow | undefined> {
  return waitFor(
    () => {
      const seen = observeDaemon(store.daemon, "`remcli daemon install`");
      return seen.alive && seen.row?.state === "running" && seen.row.pid !== before ? seen.row : undefined;
    },
    { timeoutMs },
  );
}

const notServing = (manager: ServiceManager, timeoutMs: number) =>
  new CommandFailed({
    code: "timeout",
    message: `${manager.name} started the service, but the daemon was not running within ${timeoutMs} ms — see \`remcli daemon logs\`${manager.name === "systemd" ? " and `journalctl --user -u remcli`" : ""}`,
  });

/**
 * For `daemon start` with no daemon running: when the service is installed and enabled,
 * its manager starts the daemon, so that one is restarted after a crash and updated in
 * place. Null when there is no such service, or when flags ask for a daemon unlike the unit's.
 */
export async function startThroughService(context: CliContext, store: Store, daemonArgs: string[]): Promise<{ manager: string; daemon: DaemonRow } | null> {
  const manager = serviceManagerFor(context.config);
  if (!manager) return null;
  const state = await manager.state();
  if (!state.installed || !state.enabled) return null;
  if (daemonArgs.length > 0) {
    console.error(`remcli: ${manager.file} is installed; with these flags this daemon runs outside the service (\`remcli daemon install ${daemonArgs.join(" ")}\` makes them the service's)`);
    return null;
  }
  const before = store.daemon.read()?.pid ?? null;
  unwrap(await manager.start());
  const daemon = await serving(store, before, context.config.startTimeoutMs);
  if (!daemon) throw notServing(manager, context.config.startTimeoutMs);
  return { manager: manager.name, daemon };
}

/** `remcli daemon install`: the daemon runs under the login service manager from now on. */
export async function installService(daemonArgs: string[]): Promise<number> {
  const context = cliContext();
  const manager = managerOf(context);
  const spec = serviceSpec(context, manager, daemonArgs);
  using store = openCliStore(context);
  // A daemon started by hand holds the lock: the service's would exit at once (and not be restarted).
  const running = observeDaemon(store.daemon, "`remcli daemon install`");
  if (running.alive && running.row?.pid) {
    const stopped = unwrap(await stopDaemon(context.config, context.paths, store));
    console.log(`stopped the running daemon (pid ${stopped.pid}) so that ${manager.name} runs the next one`);
  }
  const before = store.daemon.read()?.pid ?? null;
  unwrap(await manager.install(spec));
  console.log(`installed ${manager.file}`);
  console.log(`  runs      ${spec.command.join(" ")}`);
  if (!installedBinary()) console.log("  note: this remcli runs from source, so the service runs bun with this checkout");
  const daemon = await serving(store, before, context.config.startTimeoutMs);
  if (!daemon) throw notServing(manager, context.config.startTimeoutMs);
  console.log(`remcli daemon runs under ${manager.name} (pid ${daemon.pid}, version ${daemon.version}), enabled at login`);
  console.log(`  p2p       ${daemon.p2pHost && daemon.p2pPort ? httpEndpoint(daemon.p2pHost, daemon.p2pPort) : "(none)"}   (\`remcli daemon qr\` shows the pairing QR)`);
  if (manager.name === "systemd") console.log(`  ${await lingerNote(context.config.userName)}`);
  return 0;
}

/** `remcli daemon uninstall`: stops the service's daemon and removes the service. */
export async function uninstallService(): Promise<number> {
  const context = cliContext();
  const manager = managerOf(context);
  const { wasInstalled } = unwrap(await manager.uninstall());
  console.log(
    wasInstalled
      ? `removed ${manager.file}; the daemon it ran was stopped (\`remcli daemon start\` starts one by hand)`
      : `no remcli service is installed (${manager.file} does not exist); nothing to do`,
  );
  return 0;
}

/** For `daemon status`: the service, when this platform has one. */
export async function serviceState(context: CliContext): Promise<ServiceState | null> {
  return (await serviceManagerFor(context.config)?.state()) ?? null;
}

export function formatServiceState(state: ServiceState | null): string | null {
  if (!state) return null;
  if (!state.installed) return `  service    not installed (\`remcli daemon install\` starts the daemon at login)`;
  const enabled = state.enabled ? "enabled at login" : "NOT enabled at login";
  return `  service    ${state.manager}, ${enabled}, ${state.active ? "active" : "inactive"}  (${state.file})`;
}
