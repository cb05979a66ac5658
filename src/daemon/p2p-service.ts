import type { Config } from "../shared/env.ts";
import type { Log } from "../shared/log.ts";
import type { Paths } from "../shared/paths.ts";
import { rmSync } from "node:fs";
import { readOrCreateSecret, readSecret, writeNewSecret, writeSecret } from "../shared/secret-file.ts";
import type { Store } from "../store/store.ts";
import { createReach } from "../p2p/reach.ts";
import { BindError, checkHost, EVERYWHERE } from "../p2p/bind.ts";
import { startP2pServer } from "../p2p/server.ts";
import { openTunnel, type Tunnel } from "../p2p/tunnel.ts";
import { serveTailscaleHttps, type TailscaleServe } from "../p2p/tailscale.ts";
import { httpEndpoint } from "../protocol/reach.ts";
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
import { oneResumeAtATime, resumeRequest } from "./resume.ts";
import type { ReachAddress } from "../protocol/reach.ts";
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

/** The first plain-http address's host: what the state row and the session processes use. */
function lanHost(addresses: ReachAddress[]): string {
  const plain = addresses.find((entry) => entry.url.startsWith("http:"));
  return plain ? new URL(plain.url).hostname.replace(/^\[|\]$/g, "") : "127.0.0.1";
}

/** Where the --host of an earlier start is kept. */
const HOST_SETTING = "p2p_host";

/** The --host of an earlier start, which a start without one serves on again; null: every address. */
export function rememberedHost(store: Store): string | null {
  return store.settings.get(HOST_SETTING);
}

/** Starts the server on `host` (null: everywhere); a bind error says when the host was remembered, not given. */
async function listen<T>(host: string | null, remembered: boolean, start: () => T): Promise<T> {
  try {
    if (host !== null) await checkHost(host);
    return start();
  } catch (error) {
    if (error instanceof BindError && remembered) {
      throw new BindError(`${error.message} (this --host was remembered from an earlier start; \`remcli daemon start --host ::\` listens everywhere again)`);
    }
    throw error;
  }
}

export type P2pOptions = { host?: string; port?: number; tunnel?: boolean; tailscale?: boolean };

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
  const remembered = rememberedHost(store);
  const host = options.host ?? remembered ?? null;
  const preferredPort = options.port ?? deps.previousPort ?? 0;
  let tunnel: Tunnel | null = null;
  let tailscaleServe: TailscaleServe | null = null;
  let port = 0;
  let hostname: string = EVERYWHERE[0];
  const reach = createReach({
    bindHost: () => hostname,
    port: () => port,
    tunnelUrl: () => tunnel?.url ?? null,
    tailscaleHttpsUrl: () => tailscaleServe?.url ?? null,
    advertised: config.advertise,
    tailscaleBinary: config.tailscalePath,
  });

  const server = await listen(host, options.host === undefined && remembered !== null, () =>
    startP2pServer({
      store,
      log,
      secret,
      controlKey: readOrCreateSecret(paths.controlKey),
      hostnames: host === null ? EVERYWHERE : [host],
      port: preferredPort,
      explicitPort: options.port !== undefined,
      limits: {
        messageBytes: config.messageLimitBytes,
        maxConnections: config.maxConnections,
        rpcTimeoutMs: config.rpcTimeoutMs,
        restBodyBytes: Math.max(2 * 1024 * 1024, config.messageLimitBytes * 2),
      },
      ownOrigins: () => reach.ownOrigins(),
    }),
  );
  port = server.port;
  hostname = server.hostname;
  // Remembered like the port, once it worked: the next start serves the same way.
  if (options.host !== undefined) store.settings.set(HOST_SETTING, options.host);
  await reach.refresh();
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
        const { sessionId } = request.data;
        const answer = sessionId
          ? await oneResumeAtATime(sessionId, async () => {
              const resume = resumeRequest({ store, tracker, secret: machine.secret }, sessionId);
              return resume.ok ? spawn(resume.data) : resume;
            })
          : await spawn(request.data);
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

  let tailscaleError: string | null = null;
  if (options.tailscale) {
    // tailscaled proxies from this machine: to loopback when we listen everywhere.
    const target = httpEndpoint((EVERYWHERE as readonly string[]).includes(hostname) ? "127.0.0.1" : hostname, server.port);
    const served = await serveTailscaleHttps({ binary: config.tailscalePath, target, log });
    if (served.ok) tailscaleServe = served.serve;
    else tailscaleError = served.reason;
  }

  return {
    server,
    machine,
    reach,
    tailscaleError,
    /** The host a phone on the LAN dials (the primary address unless that is a tunnel). */
    host: lanHost(reach.addresses()),
    port: server.port,
    portMoved: server.moved,
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
      await tailscaleServe?.close().catch(() => {});
      await server.close();
    },
  };
}

export type P2pService = Awaited<ReturnType<typeof startP2pService>>;
