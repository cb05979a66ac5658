import { Notification as PushPayload } from "../protocol/notify.ts";

/**
 * The app's service worker, served at /sw.js. It does two things:
 * - keeps the app's own files (index.html, every /assets/ chunk, the manifest) in a cache,
 *   so a page reloaded while the daemon is down still opens and says the daemon is
 *   offline, instead of the browser's error page;
 * - shows the daemon's Web Push notifications (RFC 8030; the browser has decrypted the
 *   payload, RFC 8291) and opens the session a tapped notification is about.
 * The API (/v1, /v2, the socket) is never cached: what the daemon says is always live.
 */

// The few worker types used here; the DOM lib of the rest of the app has no ServiceWorkerGlobalScope.
type Client = { url: string; focused: boolean; visibilityState: string; focus(): Promise<Client>; postMessage(message: unknown): void };
type ExtendableEvent = Event & { waitUntil(work: Promise<unknown>): void };
type FetchEvent = ExtendableEvent & { request: Request; respondWith(response: Promise<Response>): void };
type PushEvent = ExtendableEvent & { data: { json(): unknown } | null };
type NotificationClickEvent = ExtendableEvent & { notification: { close(): void; data: unknown } };
type WorkerScope = {
  addEventListener(type: "install" | "activate", listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: "fetch", listener: (event: FetchEvent) => void): void;
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

// web-bundle.ts defines the app's files when it builds this worker: a new build is a new
// worker (its bytes change), which fills a cache of its own and drops the old one.
declare const REMCLI_APP_FILES: string[];
const CACHE_PREFIX = "remcli-app-";
const CACHE = `${CACHE_PREFIX}${hashOf(REMCLI_APP_FILES.join("\n"))}`;
const INDEX = "/index.html";
/** A daemon that does not answer within this is taken as down: the cached page shows at once. */
const NAVIGATION_TIMEOUT_MS = 3_000;

function hashOf(text: string): string {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return (hash >>> 0).toString(36);
}

async function precache(): Promise<void> {
  const cache = await caches.open(CACHE);
  await cache.addAll(REMCLI_APP_FILES.map((path) => new Request(path, { cache: "reload" })));
}

async function dropOldCaches(): Promise<void> {
  for (const name of await caches.keys()) if (name.startsWith(CACHE_PREFIX) && name !== CACHE) await caches.delete(name);
}

/**
 * The app's own pages and files: a page (any client-side route) from the network first,
 * so a new daemon version shows at once, else the cached index.html; a hashed file under
 * /assets/ from the cache first (its name changes with its content), else the network.
 * Anything else (the API, the socket, another origin) is not ours: undefined.
 */
function fromCache(request: Request): Promise<Response> | undefined {
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== worker.location.origin) return undefined;
  if (request.mode === "navigate" && !/^\/v[12](\/|$)/.test(url.pathname)) return page(request);
  if (url.pathname.startsWith("/assets/") || url.pathname === "/manifest.webmanifest") return file(request);
  return undefined;
}

async function page(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  try {
    // A navigation request cannot be re-made with options (no signal): race a timer instead.
    const response = await Promise.race([
      fetch(request),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the daemon does not answer")), NAVIGATION_TIMEOUT_MS)),
    ]);
    // Only the app's page stands in for it offline: not /health's JSON or a file opened directly.
    if (response.ok && (response.headers.get("content-type") ?? "").startsWith("text/html")) await cache.put(INDEX, response.clone());
    return response;
  } catch {
    return (await cache.match(INDEX)) ?? Response.error();
  }
}

async function file(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

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

worker.addEventListener("install", (event) => event.waitUntil(precache().then(() => worker.skipWaiting())));
worker.addEventListener("activate", (event) => event.waitUntil(dropOldCaches().then(() => worker.clients.claim())));
worker.addEventListener("fetch", (event) => {
  const answer = fromCache(event.request);
  if (answer) event.respondWith(answer);
});
worker.addEventListener("push", (event) => event.waitUntil(show(event)));
worker.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(open(sameOrigin((event.notification.data as { url?: unknown } | null)?.url)));
});
