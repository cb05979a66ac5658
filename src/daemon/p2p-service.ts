import type { Config } from "../shared/env.ts";
import type { Log } from "../shared/log.ts";
import type { Paths } from "../shared/paths.ts";
import { rmSync } from "node:fs";
import { readOrCreateSecret, readSecret, writeNewSecret, writeSecret } from "../shared/secret-file.ts";
import type { Store } from "../store/store.ts";
import { lanAddress } from "../p2p/lan.ts";
import { startP2pServer } from "../p2p/server.ts";
import { openTunnel, type Tunnel } from "../p2p/tunnel.ts";
import { createMachine } from "./machine.ts";
import type { MachineDaemonState } from "../protocol/plaintext.ts";
import { createMachineBash } from "./machine-bash.ts";
import { serveMachineRpc } from "./machine-rpc.ts";
import { serveNotifyRpc } from "./notify-rpc.ts";
import type { Notifier } from "../notify/notifier.ts";
import type { SessionTracker } from "../sessions/tracker.ts";
import type { Spawn } from "../sessions/spawn-session.ts";
import type { AgentCatalog } from "../sessions/agents.ts";
import { SpawnSessionParams, StopSessionParams, type SpawnAnswer } from "../protocol/rpc.ts";
import { resumeRequest } from "./resume.ts";
import { postSessionEndNotice } from "./session-end-notice.ts";
import { rewrapDataKeys, type Rewrapped } from "./rewrap-keys.ts";

const STOPPED_FROM_PHONE = "stopped from the phone";
const previousSecretFile = (paths: Paths) => `${paths.p2pSecret}.previous`;

/** A rotation that crashed before its re-wrap was committed: re-wrap what still opens under the old secret. */
function finishInterruptedRotation(store: Store, paths: Paths, secret: Uint8Array, log: Log) {
  const previous = readSecret(previousSecretFile(paths));
  if (!previous) return;
  const report = rewrapDataKeys(store, previous, secret);
  rmSync(previousSecretFile(paths), { force: true });
  log.warn("finished an interrupted secret rotation", { sessions: report.rewrapped.sessions, machines: report.rewrapped.machines });
}

export type P2pOptions = { host?: string; port?: number; tunnel?: boolean };

/** The host a phone should dial: the bind address when it is specific, else the LAN address. */
function advertisedHost(bind: string): string {
  if (bind !== "0.0.0.0" && bind !== "::") return bind;
  return lanAddress() ?? "127.0.0.1";
}

/**
 * The daemon's P2P side: the server on its persistent port with the persistent
 * secret, this machine's record and RPCs, and the optional tunnel.
 */
export async function startP2pService(deps: {
  config: Config;
  paths: Paths;
  store: Store;
  log: Log;
  options: P2pOptions;
  previousPort: number | null;
  daemonState: () => MachineDaemonState;
  sessions: { tracker: SessionTracker; spawn: Spawn; requestShutdown: (reason: string) => void };
  agents: AgentCatalog;
  notifier: Notifier;
}) {
  const { config, paths, store, log, options } = deps;
  const secret = readOrCreateSecret(paths.p2pSecret);
  finishInterruptedRotation(store, paths, secret, log);
  const hostname = options.host ?? "0.0.0.0";
  const preferredPort = options.port ?? deps.previousPort ?? 0;
  let tunnel: Tunnel | null = null;

  const server = startP2pServer({
    store,
    log,
    secret,
    controlKey: readOrCreateSecret(paths.controlKey),
    hostname,
    port: preferredPort,
    limits: {
      messageBytes: config.messageLimitBytes,
      maxConnections: config.maxConnections,
      rpcTimeoutMs: config.rpcTimeoutMs,
      restBodyBytes: Math.max(2 * 1024 * 1024, config.messageLimitBytes * 2),
    },
    tunnelUrl: () => tunnel?.url ?? null,
  });
  const machine = createMachine({ server, store, paths, secret, agents: deps.agents.current });
  machine.announce(deps.daemonState());
  const { tracker, spawn, requestShutdown } = deps.sessions;
  serveMachineRpc({
    server,
    machine,
    actions: {
      async spawnSession(params): Promise<SpawnAnswer> {
        const request = SpawnSessionParams.safeParse(params);
        if (!request.success) return { type: "error", errorMessage: `invalid spawn request: ${request.error.issues[0]?.message}` };
        const resume = request.data.sessionId ? resumeRequest({ store, tracker, secret: machine.secret }, request.data.sessionId) : null;
        if (resume && !resume.ok) return { type: "error", errorMessage: resume.error.message };
        const answer = await spawn(resume ? resume.data : request.data);
        return answer.ok ? answer.data : { type: "error", errorMessage: answer.error.message };
      },
      async stopSession(params) {
        const request = StopSessionParams.safeParse(params);
        if (!request.success) return { type: "error", errorMessage: "invalid stop request: sessionId is required" };
        const stopped = await tracker.stop(request.data.sessionId, STOPPED_FROM_PHONE);
        if (stopped.ok && stopped.data.how !== "already-gone") {
          await postSessionEndNotice({ server, secret: machine.secret }, request.data.sessionId, "Stopped from the phone");
        }
        return stopped.ok
          ? { message: `Session stopped (${stopped.data.how})` }
          : { type: "error", errorMessage: stopped.error.message };
      },
      async stopDaemon() {
        requestShutdown("stopped from the phone (stop-daemon)");
        return { message: "Daemon is shutting down" };
      },
      bash: createMachineBash({ rpcTimeoutMs: config.rpcTimeoutMs, log }),
    },
  });

  serveNotifyRpc({ server, machine, notifier: deps.notifier });

  let tunnelError: string | null = null;
  if (options.tunnel) {
    const opened = await openTunnel({ port: server.port, authtoken: config.ngrokAuthtoken, serverAddr: config.ngrokServerAddr, caCertPath: config.ngrokCaCertPath, log });
    if (opened.ok) tunnel = opened.tunnel;
    else tunnelError = opened.reason;
  }

  return {
    server,
    machine,
    host: advertisedHost(hostname),
    port: server.port,
    portMoved: server.moved ? preferredPort : null,
    tunnelUrl: () => tunnel?.url ?? null,
    tunnelError,
    /**
     * `qr --rotate`: a new secret; every data key re-wrapped for it (so every session and
     * message stays readable), every connection dropped. Session processes rejoin with the
     * new token, which they read from the secret file.
     */
    rotateSecret(): Rewrapped {
      const previous = machine.secret();
      // Kept until the re-wrap is committed: a crash in between is finished at the next start.
      writeSecret(previousSecretFile(paths), previous);
      const next = writeNewSecret(paths.p2pSecret);
      const report = rewrapDataKeys(store, previous, next);
      rmSync(previousSecretFile(paths), { force: true });
      server.rotateSecret(next);
      machine.useSecret(next);
      log.info("p2p secret rotated; every connection dropped", {
        sessions: report.rewrapped.sessions,
        machines: report.rewrapped.machines,
        legacy: report.legacy.length,
        unreadable: report.unreadable.length,
      });
      return report;
    },
    async close(finalStatus: MachineDaemonState) {
      machine.goOffline(finalStatus);
      await tunnel?.close().catch(() => {});
      await server.close();
    },
  };
}

export type P2pService = Awaited<ReturnType<typeof startP2pService>>;
