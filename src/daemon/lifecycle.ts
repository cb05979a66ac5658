import type { Config } from "../shared/env.ts";
import { errorMessage } from "../shared/errors.ts";
import { createLog, type Log } from "../shared/log.ts";
import { ensureHome, pathsFor } from "../shared/paths.ts";
import { processStartToken } from "../shared/process-identity.ts";
import { removeDaemonAddressFile, writeDaemonAddressFile } from "../shared/daemon-address-file.ts";
import { readOrCreateSecret } from "../shared/secret-file.ts";
import { isoNow } from "../shared/time.ts";
import { VERSION } from "../shared/version.ts";
import { createCaffeinate } from "../sessions/caffeinate.ts";
import { createAgentCatalog } from "../sessions/agents.ts";
import { spawnSessionIn, type Spawn } from "../sessions/spawn-session.ts";
import { createSessionTracker } from "../sessions/tracker.ts";
import { startCheckpointer } from "../store/checkpointer.ts";
import { openStore } from "../store/store.ts";
import { createControlHandlers } from "./control/handlers.ts";
import { serveControl } from "./control/server.ts";
import { startHeartbeat } from "./heartbeat.ts";
import { acquireLock } from "./lock.ts";
import type { MachineDaemonState } from "../protocol/plaintext.ts";
import { startP2pService, type P2pOptions, type P2pService } from "./p2p-service.ts";
import { createShutdown } from "./shutdown.ts";
import { restartSession } from "./restart-session.ts";
import { installedBinary } from "../shared/own-binary.ts";
import { watchOwnBinary } from "../update/watch.ts";
import { createNotifier } from "../notify/notifier.ts";
import { BindError } from "../p2p/bind.ts";
import { SUPERVISED_EXIT, type ServiceManagerName } from "../service/spec.ts";
import { previousEnding } from "./previous-ending.ts";
import { rollBackUnopenedStore } from "./supervised-rollback.ts";

export type DaemonOptions = {
  replacing?: string;
  echoLog?: boolean;
  /** The service manager that runs this daemon (`daemon install`): it, not we, starts a successor. */
  supervisor?: ServiceManagerName;
} & P2pOptions;

/** Exit code of a daemon that found another one holding the lock (the unit does not restart on it). */
export const EXIT_LOCK_HELD = SUPERVISED_EXIT.LOCK_HELD;
/** Exit code of a daemon whose P2P server could not listen; the state reason says why. */
export const EXIT_BIND_FAILED = 4;
export const BIND_FAILED_PREFIX = "could not serve the phone: ";
/** How the state reason says the remembered P2P port was taken and another was picked. */
export const PORT_MOVED = "p2p port moved from";

function listenControl(previousPort: number | null, serve: (port: number) => ReturnType<typeof serveControl>) {
  // Reusing the last port keeps a replaced daemon reachable where clients expect it.
  if (previousPort) {
    try {
      return serve(previousPort);
    } catch {
      // Taken by something else: any free port will do.
    }
  }
  return serve(0);
}

function runningReason(
  options: DaemonOptions,
  problems: { tunnel: string | null; tailscale: string | null; moved: { from: number; holder: string } | null; port: number },
  crash: string | null,
): string {
  return [
    "running",
    options.supervisor ? `under ${options.supervisor}` : null,
    options.replacing ? `replaced version ${options.replacing}` : null,
    crash ? `${options.supervisor ? `restarted by ${options.supervisor} ` : ""}after a crash: ${crash}` : null,
    problems.moved ? `${PORT_MOVED} ${problems.moved.from} to ${problems.port} (${problems.moved.from} is ${problems.moved.holder})` : null,
    problems.tunnel ? `tunnel unavailable: ${problems.tunnel}` : null,
    problems.tailscale ? `tailscale unavailable: ${problems.tailscale}` : null,
  ]
    .filter(Boolean)
    .join("; ");
}

/** The serving flags a successor needs; the ports it finds in the state row. */
function successorArgs(options: DaemonOptions): string[] {
  const args: string[] = [];
  if (options.host) args.push("--host", options.host);
  if (options.tunnel) args.push("--tunnel");
  if (options.tailscale) args.push("--tailscale");
  return args;
}

const fatal = (exitCode: number) => exitCode !== 0 && exitCode !== SUPERVISED_EXIT.HANDED_OVER;

function onFatal(log: Log, shutdown: (request: { reason: string; exitCode: number }) => Promise<void>) {
  process.on("SIGTERM", () => void shutdown({ reason: "SIGTERM", exitCode: 0 }));
  process.on("SIGINT", () => void shutdown({ reason: "SIGINT", exitCode: 0 }));
  process.on("SIGHUP", () => void shutdown({ reason: "SIGHUP", exitCode: 0 }));
  process.on("uncaughtException", (error) => {
    log.error("uncaught exception", { error: errorMessage(error) });
    void shutdown({ reason: `uncaught exception: ${errorMessage(error)}`, exitCode: 1 });
  });
  process.on("unhandledRejection", (error) => {
    log.error("unhandled rejection", { error: errorMessage(error) });
    void shutdown({ reason: `unhandled rejection: ${errorMessage(error)}`, exitCode: 1 });
  });
}

/**
 * The migrations run in one transaction as the store opens: when they fail, the
 * database keeps its old schema, the lock is given back (so whoever replaced a daemon
 * for us can bring it back, daemon/launch.ts) and the daemon exits saying why. Under a
 * service nobody else can: right after a hand-over the daemon puts the old binary back
 * first and exits HANDED_OVER, so the manager starts that (supervised-rollback.ts).
 */
async function openOrRelease<T>(
  open: () => T,
  lock: { release(): void },
  log: Log,
  rollBack: ((error: unknown) => Promise<string | null>) | null,
): Promise<T> {
  try {
    return open();
  } catch (error) {
    log.error("state database could not be opened; exiting", { error: errorMessage(error) });
    // Still holding the lock: no other daemon starts while the binary is swapped.
    const rolledBack = rollBack ? await rollBack(error) : null;
    lock.release();
    if (rolledBack) {
      process.stderr.write(`remcli: ${rolledBack}\n`);
      process.exit(SUPERVISED_EXIT.HANDED_OVER);
    }
    throw error;
  }
}

/** The daemon itself, in the foreground. Resolves once it is serving. */
export async function runDaemon(config: Config, options: DaemonOptions = {}): Promise<void> {
  process.umask(0o077);
  const paths = pathsFor(config.home);
  ensureHome(paths);
  const log = createLog(paths.daemonLog, { debug: config.debug, echo: options.echoLog ?? false });

  // The lock first: only the daemon that holds it may move a corrupt database aside.
  const locked = acquireLock(paths.lock);
  if (!locked.ok) {
    const holder = locked.holder ? `pid ${locked.holder.pid}` : "another process";
    log.info("another daemon holds the lock, exiting", { holder });
    process.stderr.write(`remcli daemon is already running (${holder})\n`);
    process.exit(EXIT_LOCK_HELD);
  }
  const lock = locked.lock;
  const { supervisor } = options;
  const rollBack = supervisor
    ? (error: unknown) => rollBackUnopenedStore({ database: paths.database, install: installedBinary(), supervisor, error, log })
    : null;
  const store = await openOrRelease(() => openStore(paths.database, log, "quarantine", "daemon"), lock, log, rollBack);
  const checkpointer = await startCheckpointer(store.db, paths.database, log);
  const previous = store.daemon.read();
  const ending = previousEnding(previous, process.pid);
  // Recorded before "starting", so the history reads crashed → starting → running.
  if (ending.crash && previous?.state !== "crashed") store.daemon.write({ state: "crashed", stateReason: ending.crash });
  // Under a service the successor is started by the manager, which cannot say whom it replaces.
  if (options.supervisor && !options.replacing && ending.replacedVersion) options = { ...options, replacing: ending.replacedVersion };
  const startedAt = isoNow();
  store.daemon.write({
    state: "starting",
    stateReason: options.replacing ? `starting to replace version ${options.replacing}` : "starting",
    pid: process.pid,
    pidStart: processStartToken(process.pid),
    version: VERSION,
    controlPort: null,
    p2pHost: null,
    p2pPort: null,
    tunnelUrl: null,
    startedAt,
    lastHeartbeat: null,
    logPath: paths.daemonLog,
  });

  // Late-bound: sessions, control and P2P refer to each other, and to the shutdown path.
  let p2p: P2pService | undefined;
  let shutdown: ReturnType<typeof createShutdown> | undefined;
  const requestShutdown = (reason: string) => setTimeout(() => void shutdown?.({ reason, exitCode: 0 }), 0);

  const caffeinate = createCaffeinate({ binary: config.caffeinatePath, store, log, daemonPid: process.pid });
  const notifier = createNotifier({
    store,
    vapidKeyFile: paths.vapidKey,
    log,
    timeoutMs: config.notifyTimeoutMs,
    dispatcher: { collapseMs: config.notifyCollapseMs },
    appBase: () => p2p?.reach.addresses()[0]?.url ?? null,
  });
  const tracker = createSessionTracker({
    config,
    paths,
    store,
    log,
    onSessionGone: (sessionId, gone) => {
      p2p?.server.endSession(sessionId);
      p2p?.machine.writeDaemonState(daemonState());
      if (gone.outcome !== "unknown") notifier.sessionEnded({ sessionId, directory: gone.directory, reason: gone.reason, crashed: gone.outcome === "crashed" });
    },
    onActiveChange: (count) => caffeinate.update(count),
  });
  const readopted = tracker.readopt(process.pid);
  const spawn: Spawn = async (request) => {
    const answer = await spawnSessionIn({ tracker, config }, request);
    if (!answer.ok && (answer.error.code === "spawn_failed" || answer.error.code === "timeout")) {
      notifier.spawnFailed(request.directory, answer.error.message.split("\n")[0]!);
    }
    return answer;
  };
  const agents = createAgentCatalog(config);

  const ownBinary = watchOwnBinary({
    binary: installedBinary(),
    log,
    logPath: paths.daemonLog,
    daemonArgs: successorArgs(options),
    // Under a service, a successor we spawned would live outside what the manager tracks
    // (systemd would even kill it with our unit): we exit instead, and the manager
    // starts the same path — now the new binary. Deferred, so `remcli update` hears "replacing" first.
    handOver: options.supervisor
      ? (version) =>
          setTimeout(
            () =>
              void shutdown?.({
                reason: `replaced by version ${version}: ${options.supervisor} starts it`,
                exitCode: SUPERVISED_EXIT.HANDED_OVER,
              }),
            0,
          )
      : undefined,
  });

  const control = listenControl(previous?.controlPort ?? null, (port) =>
    serveControl(
      {
        key: readOrCreateSecret(paths.controlKey),
        log,
        handlers: createControlHandlers({
          store,
          paths,
          tracker,
          spawn,
          requestShutdown,
          rotateSecret: () => p2p?.rotateSecret(),
          reach: () => p2p?.reach.addresses() ?? null,
          checkUpdate: () => ownBinary.check(),
          notifier,
          sessionsChanged: () => p2p?.machine.writeDaemonState(daemonState()),
          restartSession: ({ sessionId }) =>
            restartSession(
              {
                store,
                tracker,
                spawn,
                secret: () => p2p?.machine.secret() ?? null,
                isThinking: (id) => p2p?.server.isThinking(id) ?? false,
              },
              sessionId,
            ),
        }),
      },
      port,
    ),
  );
  const daemonState = (): MachineDaemonState => ({
    status: "running",
    pid: process.pid,
    httpPort: control.port ?? 0,
    startedAt: Date.parse(startedAt),
    // remcli extension (docs/protocol-extensions.md): sessions an update left on an older binary.
    olderSessions: tracker
      .list()
      .filter((s) => s.alive && s.olderBinary && s.sessionId)
      .map((s) => ({ sessionId: s.sessionId!, version: s.version ?? null })),
  });

  let service: P2pService;
  try {
    service = await startP2pService({
      config,
      paths,
      store,
      log,
      options,
      previousPort: previous?.p2pPort ?? null,
      daemonState,
      sessions: { tracker, spawn, requestShutdown },
      agents,
      notifier,
    });
  } catch (error) {
    if (!(error instanceof BindError)) throw error;
    // Said at once, with the cause, for `daemon start` to print: not a 10 s wait for "not ready".
    const reason = `${BIND_FAILED_PREFIX}${error.message}`;
    log.error("p2p server cannot listen", { reason: error.message });
    process.stderr.write(`remcli: ${error.message}\n`);
    control.stop(true);
    await notifier.close();
    await checkpointer.stop();
    store.daemon.writeIfOwner(process.pid, { state: "stopped", stateReason: reason });
    lock.release();
    store.close();
    process.exit(EXIT_BIND_FAILED);
  }
  p2p = service;
  if (service.portMoved) log.warn("p2p port changed", { was: service.portMoved.from, now: service.port, holder: service.portMoved.holder });
  if (service.tunnelError) process.stderr.write(`remcli: tunnel: ${service.tunnelError}\n`);
  if (service.tailscaleError) process.stderr.write(`remcli: tailscale: ${service.tailscaleError}\n`);

  /** Installed or removed agents reach the phone's new-session screen. */
  async function refreshAgents() {
    if (await agents.refresh()) service.machine.refreshMetadata();
  }

  const heartbeat = startHeartbeat({
    intervalMs: config.heartbeatMs,
    log,
    tasks: [
      { name: "record", run: () => void store.daemon.writeIfOwner(process.pid, { lastHeartbeat: isoNow() }) },
      { name: "prune sessions", run: () => tracker.prune() },
      { name: "prune replay digests", run: () => service.server.pruneReplays() },
      { name: "agents", run: refreshAgents },
      { name: "tailscale", run: () => service.reach.refresh() },
    ],
  });
  // Asking each agent its version takes a moment: the daemon serves meanwhile.
  void refreshAgents();
  // Its own, shorter beat: a stat every few seconds makes an installed update take over quickly.
  const updateBeat = startHeartbeat({
    intervalMs: config.updateCheckMs,
    log,
    tasks: [{ name: "own binary", run: async () => void (await ownBinary.check()) }],
  });

  const stopping = (reason: string): MachineDaemonState => ({
    ...daemonState(),
    status: "shutting-down",
    shutdownRequestedAt: Date.now(),
    shutdownSource: reason,
  });
  shutdown = createShutdown({
    log,
    exit: (code) => process.exit(code),
    steps: ({ reason, exitCode }) => [
      { name: "mark stopping", run: () => void store.daemon.writeIfOwner(process.pid, { state: "stopping", stateReason: reason }) },
      { name: "heartbeat", run: () => heartbeat.stop() },
      { name: "update check", run: () => updateBeat.stop() },
      // Sessions keep running across a daemon restart; only caffeinate goes with the daemon.
      { name: "caffeinate", run: () => caffeinate.stop("the daemon stopped") },
      { name: "p2p server", run: () => service.close(stopping(reason)) },
      { name: "control server", run: () => control.stop(true) },
      { name: "notifications", run: () => notifier.close() },
      // A fatal error is a crash for whoever reads the history, and for the next daemon.
      { name: "mark stopped", run: () => void store.daemon.writeIfOwner(process.pid, { state: fatal(exitCode) ? "crashed" : "stopped", stateReason: reason }) },
      // Before the lock goes: a successor writes its own file only once it holds the lock.
      { name: "address file", run: () => removeDaemonAddressFile(paths.daemonAddress, process.pid) },
      { name: "checkpoints", run: () => checkpointer.stop() },
      { name: "lock", run: () => lock.release() },
      { name: "database", run: () => store.close() },
    ],
  });
  onFatal(log, shutdown);

  // Sessions find this daemon here, never in the database (shared/daemon-address-file.ts);
  // before the row says running, so whoever waited for that finds the file too.
  writeDaemonAddressFile(paths.daemonAddress, {
    format: 1,
    pid: process.pid,
    pidStart: processStartToken(process.pid),
    version: VERSION,
    p2pHost: service.host,
    p2pPort: service.port,
    controlPort: control.port!,
    machineId: service.machine.id,
    startedAt,
  });
  store.daemon.write({
    state: "running",
    stateReason: runningReason(options, { tunnel: service.tunnelError, tailscale: service.tailscaleError, moved: service.portMoved, port: service.port }, ending.crash),
    controlPort: control.port ?? null,
    p2pHost: service.host,
    p2pPort: service.port,
    tunnelUrl: service.tunnelUrl(),
    lastHeartbeat: isoNow(),
  });
  log.info("daemon running", {
    pid: process.pid,
    version: VERSION,
    controlPort: control.port,
    p2pHost: service.host,
    p2pPort: service.port,
    tunnelUrl: service.tunnelUrl() ?? undefined,
    replacing: options.replacing,
    supervisor: options.supervisor,
    afterCrash: ending.crash ?? undefined,
    binary: ownBinary.binary ?? "(from source: no self-update)",
    sessionsAdopted: readopted.adopted,
    sessionsGone: readopted.gone,
  });
}
