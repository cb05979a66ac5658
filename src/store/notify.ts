import type { Database } from "bun:sqlite";
import { z } from "zod";
import { DEFAULT_EVENTS, NotifyEvent, type NotifyChannel, type PushSubscriptionJson } from "../protocol/notify.ts";

/** Browsers subscribed at once; a new one past this replaces the one unused the longest. */
export const MAX_PUSH_SUBSCRIPTIONS = 20;

export const PushSubscriptionRow = z.object({
  id: z.number().int(),
  endpoint: z.string(),
  p256dh: z.string(),
  auth: z.string(),
  label: z.string(),
  createdAt: z.number(),
  lastOkAt: z.number().nullable(),
});
export type PushSubscriptionRow = z.infer<typeof PushSubscriptionRow>;

/** ntfy's topic URL and access token; the command hook's argv. */
export const NtfyConfig = z.object({ url: z.string(), token: z.string().optional() });
export type NtfyConfig = z.infer<typeof NtfyConfig>;
export const CommandConfig = z.object({ argv: z.array(z.string()).min(1) });
export type CommandConfig = z.infer<typeof CommandConfig>;

const Events = z.array(NotifyEvent).catch([...DEFAULT_EVENTS]);

const parseJson = (text: string | null): unknown => {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};

const SUBSCRIPTION_COLUMNS = "id, endpoint, p256dh, auth, label, created_at AS createdAt, last_ok_at AS lastOkAt";

/** Web Push subscriptions and the per-channel notification settings. */
export function notifyStore(db: Database) {
  const upsertSubscription = db.query(
    `INSERT INTO push_subscriptions (endpoint, p256dh, auth, label, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth, label = excluded.label
     RETURNING id`,
  );
  const allSubscriptions = db.query(`SELECT ${SUBSCRIPTION_COLUMNS} FROM push_subscriptions ORDER BY id`);
  const countSubscriptions = db.query<{ n: number }, []>("SELECT count(*) AS n FROM push_subscriptions");
  const oldestSubscription = db.query(
    "DELETE FROM push_subscriptions WHERE id = (SELECT id FROM push_subscriptions ORDER BY coalesce(last_ok_at, created_at) LIMIT 1)",
  );
  const byEndpoint = db.query<{ id: number }, [string]>("SELECT id FROM push_subscriptions WHERE endpoint = ?");
  const deleteEndpoint = db.query("DELETE FROM push_subscriptions WHERE endpoint = ?");
  const deleteId = db.query("DELETE FROM push_subscriptions WHERE id = ?");
  const deleteAll = db.query("DELETE FROM push_subscriptions");
  const markOk = db.query("UPDATE push_subscriptions SET last_ok_at = ? WHERE endpoint = ?");
  const selectChannel = db.query<{ config: string | null; events: string }, [string]>(
    "SELECT config, events FROM notify_channels WHERE channel = ?",
  );
  const upsertConfig = db.query(
    `INSERT INTO notify_channels (channel, config, events) VALUES (?, ?, ?)
     ON CONFLICT (channel) DO UPDATE SET config = excluded.config`,
  );
  const upsertEvents = db.query(
    `INSERT INTO notify_channels (channel, config, events) VALUES (?, NULL, ?)
     ON CONFLICT (channel) DO UPDATE SET events = excluded.events`,
  );

  const channel = (name: NotifyChannel) => {
    const row = selectChannel.get(name);
    return { config: parseJson(row?.config ?? null), events: row ? Events.parse(parseJson(row.events)) : [...DEFAULT_EVENTS] };
  };

  return {
    /** Adds or refreshes a browser's subscription; returns its id. */
    subscribe(subscription: PushSubscriptionJson, label: string, now = Date.now()): number {
      return db.transaction(() => {
        const known = byEndpoint.get(subscription.endpoint) !== null;
        if (!known && (countSubscriptions.get()?.n ?? 0) >= MAX_PUSH_SUBSCRIPTIONS) oldestSubscription.run();
        const row = upsertSubscription.get(subscription.endpoint, subscription.keys.p256dh, subscription.keys.auth, label, now) as { id: number };
        return row.id;
      })();
    },
    subscriptions: (): PushSubscriptionRow[] => allSubscriptions.all().map((row) => PushSubscriptionRow.parse(row)),
    isSubscribed: (endpoint: string): boolean => byEndpoint.get(endpoint) !== null,
    /** The push service said this subscription is gone (404/410), or the user removed it. */
    unsubscribe: (endpoint: string): boolean => deleteEndpoint.run(endpoint).changes > 0,
    forget: (id: number | "all"): number => (id === "all" ? deleteAll.run() : deleteId.run(id)).changes,
    delivered: (endpoint: string, now = Date.now()): void => void markOk.run(now, endpoint),

    events: (name: NotifyChannel): NotifyEvent[] => channel(name).events,
    setEvents(name: NotifyChannel, events: NotifyEvent[]): void {
      upsertEvents.run(name, JSON.stringify(NotifyEvent.options.filter((event) => events.includes(event))));
    },
    ntfy: (): NtfyConfig | null => NtfyConfig.nullable().catch(null).parse(channel("ntfy").config),
    command: (): CommandConfig | null => CommandConfig.nullable().catch(null).parse(channel("command").config),
    setConfig(name: "ntfy" | "command", config: NtfyConfig | CommandConfig | null): void {
      upsertConfig.run(name, config === null ? null : JSON.stringify(config), JSON.stringify(DEFAULT_EVENTS));
    },
  };
}

export type NotifyStore = ReturnType<typeof notifyStore>;
