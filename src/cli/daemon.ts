import { cac } from "cac";
import { connectDaemon } from "../daemon/connect.ts";
import { runDaemon } from "../daemon/lifecycle.ts";
import { stopDaemon } from "../daemon/stop.ts";
import { VERSION } from "../shared/version.ts";
import { migrationProblem, SCHEMA_VERSION, schemaVersionOf } from "../store/migrations.ts";
import { NONCE_TEXT, preflightAnswer } from "../update/identity.ts";
import { cliContext, openCliStore } from "./context.ts";
import { p2pArgs, portOf, startAndReport, type StartOptions } from "./daemon-start.ts";
import { formatStatus, statusReport } from "./daemon-status.ts";
import { CommandFailed, UsageError, unwrap } from "./errors.ts";
import { standardFlags } from "./help.ts";
import { printLogs } from "./logs.ts";
import { formatPairing, formatRotation, pairingOf } from "./pairing.ts";
import { rawOption } from "./raw-option.ts";
import { formatServiceState, installService, serviceState, uninstallService } from "./service.ts";
import { compactPairingUrl } from "../p2p/qr.ts";

/** Commands the daemon and self-update run, not people: left out of the help. */
const INTERNAL = ["start-sync", "preflight"];

/** `remcli daemon …`: one cac program for the group, so each subcommand has its own help. */
export function daemonProgram() {
  const cli = cac("remcli daemon");

  cli
    .command("start", "Start the daemon in the background, wait until it is ready, print the pairing QR")
    .option("--host <address>", "Address to serve the phone on (default ::, every address; remembered)")
    .option("--port <port>", "P2P port (default: the last one used, else any free port)")
    .option("--tunnel", "Also serve through an ngrok HTTPS tunnel (needs NGROK_AUTHTOKEN)")
    .option("--tailscale", "Also serve HTTPS on this machine's tailscale name through `tailscale serve`")
    .option("--no-qr", "Do not print the pairing QR")
    .action((options: StartOptions) => startAndReport(options, { restart: false }));

  cli
    .command("restart", "Stop the daemon and start it again, with these flags (host and port are remembered)")
    .option("--host <address>", "Address to serve the phone on (default ::, every address; remembered)")
    .option("--port <port>", "P2P port (default: the last one used, else any free port)")
    .option("--tunnel", "Also serve through an ngrok HTTPS tunnel (needs NGROK_AUTHTOKEN)")
    .option("--tailscale", "Also serve HTTPS on this machine's tailscale name through `tailscale serve`")
    .option("--no-qr", "Do not print the pairing QR")
    .action((options: StartOptions) => startAndReport(options, { restart: true }));

  cli
    .command("start-sync", "Run the daemon in the foreground (what `start` runs)")
    .option("--replacing <version>", "Internal: the version this daemon replaces")
    .option("--host <address>", "Address to serve the phone on")
    .option("--port <port>", "P2P port")
    .option("--tunnel", "Also serve through an ngrok tunnel")
    .option("--tailscale", "Also serve HTTPS through `tailscale serve`")
    .option("--supervised <manager>", "Internal: run by systemd or launchd (`daemon install`), which starts a successor")
    .action(async (options: { replacing?: string; supervised?: string } & StartOptions) => {
      const port = portOf(options.port);
      const supervisor = options.supervised;
      if (supervisor !== undefined && supervisor !== "systemd" && supervisor !== "launchd") throw new UsageError("--supervised takes systemd or launchd");
      const context = cliContext();
      await runDaemon(context.config, {
        host: options.host,
        port,
        tunnel: Boolean(options.tunnel),
        tailscale: Boolean(options.tailscale),
        replacing: options.replacing,
        supervisor,
        echoLog: Boolean(process.stderr.isTTY),
      });
      // Stay in the foreground: the servers keep the process alive until shutdown exits it.
      return new Promise<number>(() => {});
    });

  cli
    .command("preflight", "Internal: check this binary could run the daemon here, without starting one")
    .option("--nonce <hex>", "Internal: first answer this challenge with the build's identity, as one JSON line")
    .action((options: { nonce?: unknown }) => {
      if (options.nonce !== undefined) {
        const nonce = rawOption(process.argv, "--nonce") ?? "";
        if (!NONCE_TEXT.test(nonce)) throw new UsageError("--nonce takes 32 hex digits");
        // First, so the asker learns who answered even when this build cannot run here.
        console.log(JSON.stringify(preflightAnswer(nonce)));
      }
      const context = cliContext();
      const schema = schemaVersionOf(context.paths.database);
      if (schema > SCHEMA_VERSION) {
        const message = `remcli ${VERSION}: the state database has schema ${schema}, newer than this version understands (${SCHEMA_VERSION})`;
        throw new CommandFailed({ code: "conflict", message });
      }
      // The scratch copy holds the same secrets as the database: private from its first byte.
      process.umask(0o077);
      const migration = migrationProblem(context.paths.database);
      if (migration) throw new CommandFailed({ code: "conflict", message: `remcli ${VERSION}: ${migration}` });
      if (options.nonce === undefined) console.log(`ok ${VERSION}`);
      return 0;
    });

  cli.command("stop", "Stop the daemon (SIGKILL if it does not stop in time)").action(
    async () => {
      const context = cliContext();
      using store = openCliStore(context);
      const { how, pid } = unwrap(await stopDaemon(context.config, context.paths, store));
      console.log(
        {
          "not-running": "remcli daemon is not running; nothing to stop",
          graceful: `remcli daemon stopped (pid ${pid})`,
          terminated: `remcli daemon did not answer its control port; stopped it with SIGTERM (pid ${pid})`,
          killed: `remcli daemon did not stop in time; killed it with SIGKILL (pid ${pid})`,
        }[how],
      );
      return 0;
    },
  );

  cli
    .command("install", "Run the daemon as a login service (systemd user unit, macOS LaunchAgent), restarted if it crashes")
    .option("--host <address>", "Address to serve the phone on (default ::, every address)")
    .option("--tunnel", "Also serve through an ngrok HTTPS tunnel (the unit then holds NGROK_AUTHTOKEN)")
    .action((options: StartOptions) => installService(p2pArgs({ host: options.host, tunnel: options.tunnel })));

  cli
    .command("uninstall", "Stop the login service's daemon and remove the service")
    .action(() => uninstallService());

  cli
    .command("status", "Show whether the daemon runs (exit 0 when it does) and whether it is installed as a service")
    .option("--json", "Print one JSON object")
    .action(
      async (options: { json?: boolean }) => {
        const context = cliContext();
        const report = await statusReport(context);
        const service = await serviceState(context);
        const text = [formatStatus(report), formatServiceState(service)].filter(Boolean).join("\n");
        console.log(options.json ? JSON.stringify({ ...report, service }, null, 2) : text);
        return report.running ? 0 : 1;
      },
    );

  cli
    .command("logs", "Print the daemon log")
    .option("-f, --follow", "Keep printing new lines")
    .option("-n, --lines <count>", "How many lines to print first", { default: 50 })
    .action(
      async (options: { follow?: boolean; lines: number | string }) => {
        const lines = Number(options.lines);
        if (!Number.isInteger(lines) || lines < 0) throw new UsageError("--lines takes a whole number");
        await printLogs(cliContext().paths.daemonLog, { lines, follow: Boolean(options.follow) });
        return 0;
      },
    );

  cli
    .command("list", "List the sessions the daemon tracks")
    .option("--json", "Print JSON")
    .action(async (options: { json?: boolean }) => {
      const context = cliContext();
      using store = openCliStore(context);
      const { control } = unwrap(connectDaemon(context.paths, store, "`remcli daemon list`"));
      const { sessions } = unwrap(await control.call("list", {}));
      if (options.json) console.log(JSON.stringify(sessions, null, 2));
      else if (sessions.length === 0) console.log("no sessions");
      else {
        for (const s of sessions) {
          const state = s.alive ? "alive" : "gone";
          const version = s.version ? `  remcli ${s.version}` : "";
          const older = s.olderBinary ? "  (older binary: restart it when idle)" : "";
          console.log(`${s.sessionId ?? "(starting)"}  pid ${s.pid}  ${state}  ${s.startedBy}  ${s.directory ?? ""}  since ${s.startedAt}${version}${older}`);
        }
        if (sessions.some((s) => s.alive && s.olderBinary)) {
          console.log("sessions on an older binary keep working; to move one to the new binary when it is idle: `remcli daemon restart-session <id>`");
        }
      }
      return 0;
    });

  cli
    .command("restart-session <sessionId>", "Move an idle session the daemon started onto the installed binary: stop it and resume it (same session and history)")
    .action(async (sessionId: string) => {
      const context = cliContext();
      using store = openCliStore(context);
      const { control } = unwrap(connectDaemon(context.paths, store, "`remcli daemon restart-session`"));
      const restarted = unwrap(await control.call("restartSession", { sessionId: String(sessionId) }, { timeoutMs: 30_000 }));
      console.log(`session ${restarted.sessionId} restarted (pid ${restarted.pid}${restarted.version ? `, remcli ${restarted.version}` : ""})`);
      return 0;
    });

  cli
    .command("qr", "Print the pairing QR again")
    .option("--json", "Print the URL and its fields as JSON")
    .option("--rotate", "Make a new secret first: every paired phone must scan again")
    .action(async (options: { json?: boolean; rotate?: boolean }) => {
      const context = cliContext();
      using store = openCliStore(context);
      const { control } = unwrap(connectDaemon(context.paths, store, "`remcli daemon qr`"));
      const rotation = options.rotate ? unwrap(await control.call("rotateSecret", {})) : null;
      const pairing = await pairingOf(context, control);
      if (!pairing) throw new CommandFailed({ code: "unavailable", message: "the daemon has no P2P address yet" });
      if (options.json) {
        const { rotated: _rotated, ...report } = rotation ?? { rotated: true };
        const compactUrl = compactPairingUrl(pairing.payload);
        const fields = { url: pairing.url, compactUrl, ...pairing.payload, addresses: pairing.addresses };
        console.log(JSON.stringify({ ...fields, ...(rotation ? { rotation: report } : {}) }, null, 2));
      } else console.log(`${rotation ? `${formatRotation(rotation)}\n` : ""}${await formatPairing(pairing)}`);
      return 0;
    });

  return standardFlags(cli, { internal: INTERNAL });
}
