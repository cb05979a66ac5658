import { accessSync, constants, statSync } from "node:fs";
import { isAbsolute } from "node:path";
import {
  NotifyChannel,
  NotifyEvent,
  type Delivery,
  type NotifyChange,
  type NotifyStatus,
  type PushSubscriptionJson,
  type SessionNotice,
  type TestReport,
} from "../protocol/notify.ts";
import type { Log } from "../shared/log.ts";
import { fail, ok, type Result } from "../shared/result.ts";
import type { Store } from "../store/store.ts";
import { commandTarget } from "./command-hook.ts";
import { fromSession, sessionEnded, spawnFailed, testNotification, type Place } from "./compose.ts";
import { createDispatcher, type DispatcherOptions } from "./dispatcher.ts";
import { ntfyTarget } from "./ntfy.ts";
import type { Target } from "./target.ts";
import { loadVapidKeys } from "./vapid.ts";
import { loadWebPush, pushEndpointAllowed, pushTarget } from "./web-push.ts";

/** RFC 8292's contact for the push services, until the user sets their own (`remcli notify contact`). */
export const DEFAULT_CONTACT = "mailto:remcli@example.com";
const CONTACT_KEY = "notify.contact";

/** Why `argv[0]` cannot be the hook, or null when it can. */
function commandProblem(program: string): string | null {
  if (!isAbsolute(program)) return `${program}: give the program's absolute path`;
  try {
    if (!statSync(program).isFile()) return `${program} is not a file`;
    accessSync(program, constants.X_OK);
  } catch {
    return `${program} does not exist or is not executable`;
  }
  return null;
}

/**
 * The daemon's notifications: where events come from (a session's notice, a session's
 * end, a spawn that failed), which channels want them (the settings in the store), and
 * the dispatcher that sends. Everything a caller does here returns at once.
 */
export function createNotifier(deps: {
  store: Store;
  vapidKeyFile: string;
  log: Log;
  timeoutMs: number;
  /** The app's address as a phone reaches it (tunnel or LAN), for links in ntfy and the hook. */
  appBase: () => string | null;
  dispatcher?: DispatcherOptions;
}) {
  const { store, log } = deps;
  const settings = store.notify;
  const vapid = loadVapidKeys(deps.vapidKeyFile);
  const last = new Map<NotifyChannel, Delivery>();
  const contact = () => store.settings.get(CONTACT_KEY) ?? DEFAULT_CONTACT;
  const options = { timeoutMs: deps.timeoutMs, appBase: deps.appBase };
  // Once the daemon is up, so the first push does not pay for loading the library; only
  // where a browser is subscribed (loading it holds the event loop for a moment).
  if (settings.subscriptions().length > 0) setTimeout(() => void loadWebPush(), 1_000).unref();

  const targets = (channel: NotifyChannel): Target[] => {
    if (channel === "push") {
      return settings.subscriptions().map((subscription) => pushTarget({ subscription, store: settings, vapid, contact: contact(), timeoutMs: deps.timeoutMs }));
    }
    if (channel === "ntfy") {
      const ntfy = settings.ntfy();
      return ntfy ? [ntfyTarget(ntfy, options)] : [];
    }
    const command = settings.command();
    return command ? [commandTarget(command, options)] : [];
  };

  const dispatcher = createDispatcher(
    {
      targets,
      wants: (channel, kind) => kind !== "test" && settings.events(channel).includes(kind),
      log,
      onResult: (channel, delivery) => last.set(channel, delivery),
    },
    deps.dispatcher,
  );

  const placeOf = (sessionId: string): Place => ({
    sessionId,
    directory: store.children.open().find((child) => child.sessionId === sessionId)?.directory ?? null,
  });

  const status = (): NotifyStatus => {
    const ntfy = settings.ntfy();
    return {
      vapidPublicKey: vapid.publicKey,
      contact: contact(),
      channels: {
        push: {
          events: settings.events("push"),
          subscriptions: settings.subscriptions().map((s) => ({ id: s.id, label: s.label, origin: new URL(s.endpoint).origin, createdAt: s.createdAt, lastOkAt: s.lastOkAt })),
          last: last.get("push") ?? null,
        },
        ntfy: { events: settings.events("ntfy"), url: ntfy?.url ?? null, token: Boolean(ntfy?.token), last: last.get("ntfy") ?? null },
        command: { events: settings.events("command"), argv: settings.command()?.argv ?? null, last: last.get("command") ?? null },
      },
    };
  };

  const toggle = (change: Extract<NotifyChange, { set: "event" }>) => {
    const events = change.event === "all" ? NotifyEvent.options : [change.event];
    for (const channel of change.channel ? [change.channel] : NotifyChannel.options) {
      const current = new Set(settings.events(channel));
      for (const event of events) {
        if (change.on) current.add(event);
        else current.delete(event);
      }
      settings.setEvents(channel, [...current]);
    }
  };

  return {
    vapidPublicKey: vapid.publicKey,
    /** A session's permission request or finished turn (the control API's `notifyEvent`). */
    sessionNotice(sessionId: string, notice: SessionNotice): void {
      dispatcher.dispatch(fromSession(placeOf(sessionId), notice));
    },
    /** A session's process is gone; `crashed` when it did not end by its own or the user's choice. */
    sessionEnded(input: { sessionId: string; directory: string | null; reason: string; crashed: boolean }): void {
      dispatcher.dispatch(sessionEnded({ sessionId: input.sessionId, directory: input.directory }, input.reason, input.crashed));
    },
    spawnFailed(directory: string, reason: string): void {
      dispatcher.dispatch(spawnFailed(directory, reason));
    },
    status,
    change(change: NotifyChange): Result<NotifyStatus> {
      switch (change.set) {
        case "ntfy":
          settings.setConfig("ntfy", { url: change.url, ...(change.token ? { token: change.token } : {}) });
          break;
        case "ntfy-off":
          settings.setConfig("ntfy", null);
          break;
        case "command": {
          const problem = commandProblem(change.argv[0]!);
          if (problem) return fail("bad_request", problem);
          settings.setConfig("command", { argv: change.argv });
          break;
        }
        case "command-off":
          settings.setConfig("command", null);
          break;
        case "contact":
          store.settings.set(CONTACT_KEY, change.contact);
          break;
        case "event":
          toggle(change);
          break;
        case "forget":
          settings.forget(change.subscription);
          break;
      }
      log.info("notification settings changed", { change: change.set });
      return ok(status());
    },
    subscribe(subscription: PushSubscriptionJson, label: string): Result<{ id: number }> {
      if (!pushEndpointAllowed(subscription.endpoint)) return fail("bad_request", "a push endpoint must be an https:// URL");
      const id = settings.subscribe(subscription, label || "a browser");
      log.info("push subscription added", { id, service: new URL(subscription.endpoint).host });
      return ok({ id });
    },
    unsubscribe: (endpoint: string): boolean => settings.unsubscribe(endpoint),
    isSubscribed: (endpoint: string): boolean => settings.isSubscribed(endpoint),
    /** One test notification to every configured target, whatever its events, awaited, not retried. */
    async test(): Promise<TestReport> {
      const notification = testNotification();
      const all = NotifyChannel.options.flatMap((channel) => targets(channel));
      const results = await Promise.all(
        all.map(async (target) => {
          const outcome = await target.send(notification).catch((error: unknown) => ({ ok: false as const, detail: String(error), retry: false }));
          const detail = outcome.ok ? "delivered" : outcome.detail;
          last.set(target.channel, { at: Date.now(), ok: outcome.ok, detail: `${target.label}: ${detail}` });
          return { channel: target.channel, target: target.label, ok: outcome.ok, detail };
        }),
      );
      return { results };
    },
    close: () => dispatcher.close(),
  };
}

export type Notifier = ReturnType<typeof createNotifier>;
