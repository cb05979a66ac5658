import { Notification as PushPayload } from "../protocol/notify.ts";

/**
 * The app's service worker, served at /sw.js. It does one thing: show the daemon's Web
 * Push notifications (RFC 8030; the browser has decrypted the payload, RFC 8291) and open
 * the session a tapped notification is about. It caches nothing: the daemon serves the
 * app, and a page that cannot reach it has nothing to show anyway.
 */

// The few worker types used here; the DOM lib of the rest of the app has no ServiceWorkerGlobalScope.
type Client = { url: string; focused: boolean; visibilityState: string; focus(): Promise<Client>; postMessage(message: unknown): void };
type ExtendableEvent = Event & { waitUntil(work: Promise<unknown>): void };
type PushEvent = ExtendableEvent & { data: { json(): unknown } | null };
type NotificationClickEvent = ExtendableEvent & { notification: { close(): void; data: unknown } };
type WorkerScope = {
  addEventListener(type: "install" | "activate", listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: "push", listener: (event: PushEvent) => void): void;
  addEventListener(type: "notificationclick", listener: (event: NotificationClickEvent) => void): void;
  skipWaiting(): Promise<void>;
  registration: { showNotification(title: string, options: NotificationOptions & { renotify?: boolean }): Promise<void> };
  clients: {
    claim(): Promise<void>;
    matchAll(options: { type: "window"; includeUncontrolled: boolean }): Promise<Client[]>;
    openWindow(url: string): Promise<Client | null>;
  };
  location: { origin: string };
};
const worker = self as unknown as WorkerScope;

/** The app's own paths only: a payload cannot send the tap to another site. */
const sameOrigin = (url: unknown) => {
  const target = new URL(typeof url === "string" ? url : "/", worker.location.origin);
  return target.origin === worker.location.origin ? target.pathname : "/";
};

async function windows(): Promise<Client[]> {
  return worker.clients.matchAll({ type: "window", includeUncontrolled: true });
}

async function show(event: PushEvent): Promise<void> {
  const parsed = PushPayload.safeParse(event.data?.json());
  // A push must show something; one we cannot read still says where to look.
  const payload = parsed.success ? parsed.data : { title: "remcli", body: "Something on your computer needs you.", tag: "remcli", url: "/" };
  // Someone is looking at the app: it signals by itself (title badge, sound), no system notification.
  if ((await windows()).some((client) => client.focused && client.visibilityState === "visible")) return;
  await worker.registration.showNotification(payload.title, {
    body: payload.body,
    tag: payload.tag,
    renotify: true,
    data: { url: sameOrigin(payload.url) },
  });
}

async function open(url: string): Promise<void> {
  const client = (await windows())[0];
  if (!client) {
    await worker.clients.openWindow(url);
    return;
  }
  // The open app navigates itself (no reload, its connection stays).
  client.postMessage({ type: "remcli:open", url });
  await client.focus();
}

worker.addEventListener("install", () => void worker.skipWaiting());
worker.addEventListener("activate", (event) => event.waitUntil(worker.clients.claim()));
worker.addEventListener("push", (event) => event.waitUntil(show(event)));
worker.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(open(sameOrigin((event.notification.data as { url?: unknown } | null)?.url)));
});
