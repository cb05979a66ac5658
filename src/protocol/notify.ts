import { z } from "zod";

// Notifications (issue 15): what a session tells its daemon, the settings the CLI and the
// phone change, the machine RPCs of the Notifications screen, and the Web Push payload
// the service worker shows. The text of a notification is short by construction: a tool
// and a one-line summary, the last line of an answer, a reason — never file contents.

/** What happened. Defaults: permission, finished and crashed are on for every channel. */
export const NotifyEvent = z.enum(["permission", "finished", "ended", "crashed", "spawn-failed"]);
export type NotifyEvent = z.infer<typeof NotifyEvent>;
export const DEFAULT_EVENTS: readonly NotifyEvent[] = ["permission", "finished", "crashed"];

/** Where a notification goes from the daemon; the open app signals by itself (in-app). */
export const NotifyChannel = z.enum(["push", "ntfy", "command"]);
export type NotifyChannel = z.infer<typeof NotifyChannel>;

export const TITLE_MAX = 80;
export const BODY_MAX = 200;
/** Cuts `text` to one line of at most `max` characters. */
export function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** The input fields that name what a tool use is about, in order of preference; never contents. */
const SUMMARY_FIELDS = ["command", "file_path", "notebook_path", "path", "url", "pattern", "query", "description"];

/**
 * A tool use in one line: `Bash: npm test`, `Edit: src/a.ts`. The session and the app
 * both compute it, so a push and an in-app notification read the same.
 */
export function toolSummary(tool: string, input: unknown): string {
  const fields = input && typeof input === "object" ? (input as Record<string, unknown>) : {};
  const field = SUMMARY_FIELDS.find((name) => typeof fields[name] === "string" && fields[name] !== "");
  const detail = field ? String(fields[field]).split("\n")[0]! : "";
  return oneLine(detail ? `${tool}: ${detail}` : tool, BODY_MAX);
}

const Line = (max: number) => z.string().max(max * 4).transform((text) => oneLine(text, max));

/** A session process's event, sent to its daemon over the signed control API. */
export const SessionNotice = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("permission"), tool: Line(TITLE_MAX), summary: Line(BODY_MAX) }).strict(),
  z.object({ kind: z.literal("finished"), summary: Line(BODY_MAX) }).strict(),
]);
export type SessionNotice = z.infer<typeof SessionNotice>;

/**
 * One notification as every channel gets it (and the Web Push payload, JSON, which the
 * service worker parses): `url` is a path of the app, `tag` groups notifications of one
 * session so a newer one replaces the older on the phone.
 */
export const Notification = z.object({
  kind: z.union([NotifyEvent, z.literal("test")]),
  title: z.string().max(TITLE_MAX * 2),
  body: z.string().max(BODY_MAX * 2),
  url: z.string().max(300),
  tag: z.string().max(100),
  sessionId: z.string().max(200).nullable(),
  /** How many events this one stands for (a collapsed burst); 1 otherwise. */
  count: z.number().int().min(1),
  at: z.number(),
});
export type Notification = z.infer<typeof Notification>;

/** The app's path that opens a session of whichever pairing on this origin knows it. */
export const openPath = (sessionId: string | null) => (sessionId ? `/open/${encodeURIComponent(sessionId)}` : "/");

// --- settings ---------------------------------------------------------------------------

const base64url = (bytes: number) =>
  z.string().regex(/^[A-Za-z0-9_-]+={0,2}$/).refine((value) => decodedLength(value) === bytes, `must be ${bytes} bytes, base64url`);
function decodedLength(value: string): number {
  const chars = value.replace(/=+$/, "").length;
  return Math.floor((chars * 3) / 4);
}

/** A browser's PushSubscription.toJSON(): where to send and the keys to encrypt to (RFC 8291). */
export const PushSubscriptionJson = z.object({
  endpoint: z.url({ protocol: /^https?$/ }).max(1024),
  keys: z.object({ p256dh: base64url(65), auth: base64url(16) }),
});
export type PushSubscriptionJson = z.infer<typeof PushSubscriptionJson>;

export const NtfyUrl = z.url({ protocol: /^https?$/ }).max(1024).refine((url) => new URL(url).pathname.length > 1, "needs a topic: https://ntfy.sh/<topic>");
/** A VAPID contact (RFC 8292 `sub`): Apple's push service refuses one at localhost, .local or .invalid. */
export const VapidContact = z
  .string()
  .max(300)
  .regex(/^(mailto:[^\s@]+@[^\s@]+|https:\/\/[^\s/]+\.[^\s/]+(\/\S*)?)$/, "a mailto: address or an https:// URL")
  .refine((contact) => !/(@|\/\/)(localhost|[^\s/]*\.(local|invalid))\b/.test(contact), "a real address: Apple refuses localhost, .local and .invalid");

/** One change of the notification settings (CLI `remcli notify …`, or the phone's toggles). */
export const EventToggle = z
  .object({ set: z.literal("event"), event: z.union([NotifyEvent, z.literal("all")]), on: z.boolean(), channel: NotifyChannel.optional() })
  .strict();
export const NotifyChange = z.discriminatedUnion("set", [
  z.object({ set: z.literal("ntfy"), url: NtfyUrl, token: z.string().min(1).max(500).optional() }).strict(),
  z.object({ set: z.literal("ntfy-off") }).strict(),
  z.object({ set: z.literal("command"), argv: z.array(z.string().min(1).max(4096)).min(1).max(32) }).strict(),
  z.object({ set: z.literal("command-off") }).strict(),
  z.object({ set: z.literal("contact"), contact: VapidContact }).strict(),
  EventToggle,
  z.object({ set: z.literal("forget"), subscription: z.union([z.number().int().positive(), z.literal("all")]) }).strict(),
]);
export type NotifyChange = z.infer<typeof NotifyChange>;

export const Delivery = z.object({ at: z.number(), ok: z.boolean(), detail: z.string() });
export type Delivery = z.infer<typeof Delivery>;

export const SubscriptionInfo = z.object({
  id: z.number(),
  label: z.string(),
  origin: z.string(),
  createdAt: z.number(),
  lastOkAt: z.number().nullable(),
});
export type SubscriptionInfo = z.infer<typeof SubscriptionInfo>;

/** Everything `remcli notify status` shows; the token itself never leaves the daemon. */
export const NotifyStatus = z.object({
  vapidPublicKey: z.string(),
  contact: z.string(),
  channels: z.object({
    push: z.object({ events: z.array(NotifyEvent), subscriptions: z.array(SubscriptionInfo), last: Delivery.nullable() }),
    ntfy: z.object({ events: z.array(NotifyEvent), url: z.string().nullable(), token: z.boolean(), last: Delivery.nullable() }),
    command: z.object({ events: z.array(NotifyEvent), argv: z.array(z.string()).nullable(), last: Delivery.nullable() }),
  }),
});
export type NotifyStatus = z.infer<typeof NotifyStatus>;

/** What `notify test` reached: one line per target. */
export const TestReport = z.object({ results: z.array(z.object({ channel: NotifyChannel, target: z.string(), ok: z.boolean(), detail: z.string() })) });
export type TestReport = z.infer<typeof TestReport>;

// --- machine RPCs of the Notifications screen (decrypted params, single-use) ---------------

/**
 * `<machineId>:notify-settings`: the status, and whether `endpoint` (this browser) is
 * subscribed. The phone may only switch events on and off: where notifications go (a
 * program to run, a server to post to) is set on the computer, with `remcli notify`.
 */
export const NotifySettingsParams = z.object({ endpoint: z.string().max(1024).optional(), change: EventToggle.optional() });
export const NotifySettingsAnswer = NotifyStatus.extend({ subscribed: z.boolean() });
export type NotifySettingsAnswer = z.infer<typeof NotifySettingsAnswer>;

/** `<machineId>:notify-subscribe`: this browser's subscription, with a label for `notify status`. */
export const NotifySubscribeParams = z.object({ subscription: PushSubscriptionJson, label: z.string().max(100).optional() });
export const NotifyUnsubscribeParams = z.object({ endpoint: z.string().max(1024) });
