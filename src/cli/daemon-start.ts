import { existsSync } from "node:fs";
import { controlClientOf } from "../daemon/connect.ts";
import { installedBinary } from "../shared/own-binary.ts";
import { previousOf } from "../update/install.ts";
import { launchDaemon } from "../daemon/launch.ts";
import { observeDaemon } from "../daemon/observe.ts";
import { PORT_MOVED } from "../daemon/lifecycle.ts";
import { rememberedHost } from "../daemon/p2p-service.ts";
import { stopDaemon } from "../daemon/stop.ts";
import { httpEndpoint, type ReachAddress } from "../protocol/reach.ts";
import type { DaemonRow } from "../store/daemon-state.ts";
import type { Store } from "../store/store.ts";
import { cliContext, openStoreForStart } from "./context.ts";
import { unwrap, UsageError } from "./errors.ts";
import { formatAddresses, formatPairing, pairingOf } from "./pairing.ts";
import { startThroughService } from "./service.ts";

export type StartOptions = { host?: string; port?: string | number; tunnel?: boolean; tailscale?: boolean; qr?: boolean };

export function portOf(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError("--port takes a port number (0-65535)");
  return port;
}

/** The P2P flags of `start`, checked here and passed on to `start-sync`. */
export function p2pArgs(options: StartOptions): string[] {
  const args: string[] = [];
  const port = portOf(options.port);
  if (options.host !== undefined) args.push("--host", String(options.host));
  if (port !== undefined) args.push("--port", String(port));
  if (options.tunnel) args.push("--tunnel");
  if (options.tailscale) args.push("--tailscale");
  return args;
}

/** The serving flags a daemon that was already running does not have. */
function unapplied(options: StartOptions, daemon: DaemonRow, addresses: readonly ReachAddress[], store: Store | null): string[] {
  const flags: string[] = [];
  const port = portOf(options.port);
  if (port !== undefined && port !== 0 && port !== daemon.p2pPort) flags.push("--port", String(port));
  // Never given means every address, as `--host ::` asks.
  const host = (store ? rememberedHost(store) : null) ?? "::";
  if (options.host !== undefined && options.host !== host) flags.push("--host", options.host);
  if (options.tunnel && !daemon.tunnelUrl) flags.push("--tunnel");
  if (options.tailscale && !addresses.some((entry) => entry.kind === "tailscale-https")) flags.push("--tailscale");
  return flags;
}

/** The binary `remcli update` kept as the previous one, if any. */
function predecessorBinary(): string | null {
  const installed = installedBinary();
  return installed && existsSync(previousOf(installed)) ? previousOf(installed) : null;
}

/** `daemon start` and `daemon restart`: launch, then say how it serves and print the pairing. */
export async function startAndReport(options: StartOptions, { restart }: { restart: boolean }): Promise<number> {
  const daemonArgs = p2pArgs(options);
  const context = cliContext();
  using store = openStoreForStart(context);
  if (restart && store) {
    const stopped = unwrap(await stopDaemon(context.config, context.paths, store));
    if (stopped.how === "not-running") console.log("remcli daemon was not running; starting it");
  }
  const idle = store !== null && !observeDaemon(store.daemon, "`remcli daemon start`").alive;
  const service = idle ? await startThroughService(context, store, daemonArgs) : null;
  const { how, daemon, replacedVersion } = service
    ? { how: "started" as const, daemon: service.daemon, replacedVersion: undefined }
    : unwrap(await launchDaemon(context.config, context.paths, store, { daemonArgs, predecessor: predecessorBinary() }));
  const headline = {
    started: `remcli daemon ${restart ? "restarted" : "started"}${service ? ` by ${service.manager}` : ""} (version ${daemon.version}, pid ${daemon.pid})`,
    "already-running": `remcli daemon is already running (version ${daemon.version}, pid ${daemon.pid})`,
    replaced: `remcli daemon replaced version ${replacedVersion} with ${daemon.version} (pid ${daemon.pid})`,
  }[how];
  console.log(headline);
  console.log(`  control  127.0.0.1:${daemon.controlPort}`);
  const tunnel = daemon.tunnelUrl ? `  tunnel ${daemon.tunnelUrl}` : "";
  console.log(`  p2p      ${daemon.p2pHost && daemon.p2pPort ? httpEndpoint(daemon.p2pHost, daemon.p2pPort) : "(none)"}${tunnel}`);
  console.log(`  log      ${daemon.logPath}`);
  reportProblems(options, daemon.stateReason);

  const control = controlClientOf(context.paths, daemon);
  const pairing = control ? await pairingOf(context, control) : null;
  if (how === "already-running") {
    const flags = unapplied(options, daemon, pairing?.addresses ?? [], store);
    if (flags.length > 0) {
      console.error(`remcli: the daemon was already running, so ${flags.join(" ")} ${flags.length > 2 ? "were" : "was"} not applied; \`remcli daemon restart ${flags.join(" ")}\` applies ${flags.length > 2 ? "them" : "it"}`);
    }
  }
  if (pairing && options.qr !== false) console.log(await formatPairing(pairing));
  else if (pairing) console.log(`  ways in\n${formatAddresses(pairing.addresses)}`);
  return 0;
}

/** What the daemon could not do as asked, from its state reason, on stderr. */
function reportProblems(options: StartOptions, reason: string) {
  const moved = new RegExp(`${PORT_MOVED} (\\d+) to (\\d+) \\(\\d+ is (.*?)\\)(?:;|$)`).exec(reason);
  if (moved) {
    console.error(`remcli: WARNING: port ${moved[1]}, which phones paired with this daemon know, is taken (${moved[3]}).`);
    console.error(`remcli: WARNING: the daemon now listens on port ${moved[2]}: every paired phone must scan the new QR (\`remcli daemon qr\`), or free port ${moved[1]} and \`remcli daemon restart --port ${moved[1]}\`.`);
  }
  const tunnelProblem = /tunnel unavailable: (.*?)(?:; tailscale unavailable: .*)?$/.exec(reason)?.[1];
  if (options.tunnel && tunnelProblem) console.error(`remcli: --tunnel: ${tunnelProblem}`);
  const tailscaleProblem = /tailscale unavailable: (.*)$/.exec(reason)?.[1];
  if (options.tailscale && tailscaleProblem) console.error(`remcli: --tailscale: ${tailscaleProblem}`);
}
