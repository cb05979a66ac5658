import { cac } from "cac";
import { resolve } from "node:path";
import { connectDaemon } from "../daemon/connect.ts";
import { NotifyChannel, NotifyEvent, type Delivery, type NotifyChange, type NotifyStatus } from "../protocol/notify.ts";
import type { RouteName, RouteRequest, RouteResponse } from "../protocol/control.ts";
import { cliContext, openCliStore } from "./context.ts";
import { UsageError, unwrap } from "./errors.ts";
import { standardFlags } from "./help.ts";
import { rawOption } from "./raw-option.ts";

type JsonOption = { json?: boolean };

async function call<R extends RouteName>(route: R, body: RouteRequest<R>): Promise<RouteResponse<R>> {
  const context = cliContext();
  using store = openCliStore(context);
  const { control } = unwrap(connectDaemon(context.paths, store, "`remcli notify`"));
  return unwrap(await control.call(route, body, { timeoutMs: 30_000 }));
}

const when = (at: number | null) => (at ? new Date(at).toISOString() : "never");
const lastLine = (last: Delivery | null) => (last ? `  last ${last.ok ? "ok" : "FAILED"} ${when(last.at)}: ${last.detail}` : "");

export function formatNotifyStatus(status: NotifyStatus): string {
  const { push, ntfy, command } = status.channels;
  const events = (list: NotifyEvent[]) => (list.length ? list.join(", ") : "no events");
  const lines = [
    `push     ${events(push.events)} · ${push.subscriptions.length} browser${push.subscriptions.length === 1 ? "" : "s"}${lastLine(push.last)}`,
    ...push.subscriptions.map((s) => `           #${s.id} ${s.label} (${s.origin}), since ${when(s.createdAt)}, last delivered ${when(s.lastOkAt)}`),
    `ntfy     ${ntfy.url ? `${ntfy.url}${ntfy.token ? " (token set)" : ""} · ${events(ntfy.events)}${lastLine(ntfy.last)}` : "off (remcli notify ntfy <topic url>)"}`,
    `command  ${command.argv ? `${command.argv.join(" ")} · ${events(command.events)}${lastLine(command.last)}` : "off (remcli notify command <program>)"}`,
    `contact  ${status.contact} (sent to push services; set yours with remcli notify contact)`,
  ];
  return lines.join("\n");
}

async function change(body: NotifyChange, options: JsonOption): Promise<number> {
  const status = await call("notifyChange", body);
  console.log(options.json ? JSON.stringify(status, null, 2) : formatNotifyStatus(status));
  return 0;
}

function eventOf(word: string): NotifyEvent | "all" {
  if (word === "all") return "all";
  const parsed = NotifyEvent.safeParse(word);
  if (!parsed.success) throw new UsageError(`unknown event \`${word}\`: one of ${NotifyEvent.options.join(", ")}, all`);
  return parsed.data;
}

function channelOf(word: unknown): NotifyChannel | undefined {
  if (word === undefined) return undefined;
  const parsed = NotifyChannel.safeParse(word);
  if (!parsed.success) throw new UsageError(`unknown channel \`${String(word)}\`: one of ${NotifyChannel.options.join(", ")}`);
  return parsed.data;
}

/** `remcli notify …`: where the daemon's notifications go and which events each channel gets. */
export function notifyProgram() {
  const cli = cac("remcli notify");

  cli
    .command("status", "Show each channel, its events and its last delivery, and the subscribed browsers")
    .option("--json", "Print one JSON object")
    .action(async (options: JsonOption) => {
      const status = await call("notifyStatus", {});
      console.log(options.json ? JSON.stringify(status, null, 2) : formatNotifyStatus(status));
      return 0;
    });

  cli
    .command("test", "Send a test notification to every configured channel and say what each answered")
    .option("--json", "Print one JSON object")
    .action(async (options: JsonOption) => {
      const { results } = await call("notifyTest", {});
      if (options.json) console.log(JSON.stringify({ results }, null, 2));
      else if (results.length === 0) console.log("nothing to notify: subscribe a browser in the app, or set remcli notify ntfy / command");
      else for (const r of results) console.log(`${r.ok ? "ok    " : "FAILED"} ${r.channel.padEnd(7)} ${r.target}${r.ok ? "" : `: ${r.detail}`}`);
      return results.every((r) => r.ok) ? 0 : 1;
    });

  cli
    .command("ntfy <url>", "Post notifications to an ntfy topic (https://ntfy.sh/<topic> or your own server); `off` stops")
    .option("--token <token>", "ntfy access token, sent as a bearer token")
    .option("--json", "Print the new status as JSON")
    .action((url: string, options: JsonOption & { token?: unknown }) => {
      if (String(url) === "off") return change({ set: "ntfy-off" }, options);
      const token = options.token === undefined ? undefined : rawOption(process.argv, "--token");
      return change({ set: "ntfy", url: String(url), ...(token ? { token } : {}) }, options);
    });

  cli
    .command("command <program> [...args]", "Run a program for each notification (event in REMCLI_* variables and as JSON on stdin); `off` stops")
    .option("--json", "Print the new status as JSON")
    .action((program: string, args: string[], options: JsonOption) => {
      if (String(program) === "off" && args.length === 0) return change({ set: "command-off" }, options);
      return change({ set: "command", argv: [resolve(String(program)), ...args.map(String)] }, options);
    });

  for (const on of [true, false]) {
    cli
      .command(`${on ? "on" : "off"} <event>`, `${on ? "Send" : "Stop sending"} an event (${NotifyEvent.options.join(", ")}, or all) on every channel, or one`)
      .option("--channel <channel>", `Only this channel: ${NotifyChannel.options.join(", ")}`)
      .option("--json", "Print the new status as JSON")
      .action((event: string, options: JsonOption & { channel?: unknown }) =>
        change({ set: "event", event: eventOf(String(event)), on, ...(options.channel === undefined ? {} : { channel: channelOf(options.channel) }) }, options),
      );
  }

  cli
    .command("contact <uri>", "Your contact for the push services (mailto: or https:); Apple refuses a placeholder")
    .option("--json", "Print the new status as JSON")
    .action((uri: string, options: JsonOption) => change({ set: "contact", contact: String(uri) }, options));

  cli
    .command("forget <subscription>", "Remove a subscribed browser (its number in `notify status`), or all")
    .option("--json", "Print the new status as JSON")
    .action((subscription: string, options: JsonOption) => {
      const id = String(subscription) === "all" ? "all" : Number(subscription);
      if (id !== "all" && (!Number.isInteger(id) || id <= 0)) throw new UsageError("forget takes a subscription number or `all`");
      return change({ set: "forget", subscription: id }, options);
    });

  return standardFlags(cli);
}
