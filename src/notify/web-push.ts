import { createHash } from "node:crypto";
import type { Notification } from "../protocol/notify.ts";
import type { NotifyStore, PushSubscriptionRow } from "../store/notify.ts";
import { httpOutcome, networkOutcome, type Outcome, type Target } from "./target.ts";
import type { VapidKeys } from "./vapid.ts";

/**
 * web-push (with asn1.js and jws) takes 0.2-0.3 s to load: loaded on first use, not with
 * every CLI command that imports the daemon. The daemon warms it up after it starts.
 */
let library: Promise<typeof import("web-push")> | null = null;
export const loadWebPush = () => (library ??= import("web-push"));

/** A waiting approval is stale after an hour; the push service drops it then. */
const TTL_SECONDS = 3600;

/**
 * RFC 8030 §5.4: a newer message with the same topic replaces one the push service
 * still holds for an offline phone. One topic per session and kind: a burst while the
 * phone sleeps arrives as its last message, not as a pile.
 */
function topicOf(notification: Notification): string {
  return createHash("sha256").update(`${notification.tag}\0${notification.kind}`).digest("base64url").slice(0, 32);
}

/**
 * web-push 3.6.7 calls url.parse(), whose deprecation warning (DEP0169) would land in the
 * daemon's log as a line in no format of ours; node prints it once, so once hushed it stays so.
 */
function quietly<T>(run: () => T): T {
  const before = process.noDeprecation;
  process.noDeprecation = true;
  try {
    return run();
  } finally {
    process.noDeprecation = before;
  }
}

/** Where a subscription sends: a push service over HTTPS, or one on this machine's loopback. */
export function pushEndpointAllowed(endpoint: string): boolean {
  const url = new URL(endpoint);
  if (url.protocol === "https:") return true;
  return url.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
}

/**
 * One subscribed browser as a target. web-push builds the request (aes128gcm payload
 * encryption, RFC 8291, and the VAPID JWT, RFC 8292); we send it ourselves, with a
 * timeout and without following redirects. A 404 or 410 means the browser unsubscribed
 * or the subscription expired: it is dropped.
 */
export function pushTarget(deps: {
  subscription: PushSubscriptionRow;
  store: NotifyStore;
  vapid: VapidKeys;
  contact: string;
  timeoutMs: number;
}): Target {
  const { subscription, store, timeoutMs } = deps;
  return {
    channel: "push",
    label: `${subscription.label} (${new URL(subscription.endpoint).host})`,
    async send(notification): Promise<Outcome> {
      const webpush = await loadWebPush();
      const request = quietly(() => webpush.generateRequestDetails(
        { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
        JSON.stringify(notification),
        {
          vapidDetails: { subject: deps.contact, publicKey: deps.vapid.publicKey, privateKey: deps.vapid.privateKey },
          TTL: TTL_SECONDS,
          urgency: notification.kind === "permission" ? "high" : "normal",
          topic: topicOf(notification),
        },
      ));
      let response: Response;
      try {
        response = await fetch(request.endpoint, {
          method: "POST",
          // fetch sets Content-Length from the body itself.
          headers: Object.fromEntries(
            Object.entries(request.headers).filter(([name]) => name.toLowerCase() !== "content-length").map(([name, value]) => [name, String(value)]),
          ),
          body: request.body ? new Uint8Array(request.body) : undefined,
          redirect: "manual",
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        return networkOutcome(error, timeoutMs);
      }
      if (response.status === 404 || response.status === 410) {
        await response.body?.cancel();
        store.unsubscribe(subscription.endpoint);
        return { ok: false, detail: `HTTP ${response.status}: the subscription is gone; removed`, retry: false, gone: true };
      }
      const outcome = await httpOutcome(response);
      if (outcome.ok) store.delivered(subscription.endpoint);
      return outcome;
    },
  };
}
