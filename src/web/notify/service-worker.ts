/**
 * Registers the app's service worker (/sw.js), which shows Web Push notifications and
 * opens the session a tapped one is about. Browsers allow one only in a secure context
 * (HTTPS, or this computer's own loopback): on http://<LAN-IP> there is none.
 */
export function registerServiceWorker(onOpen: (path: string) => void): void {
  if (!("serviceWorker" in navigator) || !isSecureContext) return;
  navigator.serviceWorker.addEventListener("message", (event: MessageEvent) => {
    const data = event.data as { type?: unknown; url?: unknown } | null;
    if (data?.type === "remcli:open" && typeof data.url === "string" && data.url.startsWith("/")) onOpen(data.url);
  });
  void navigator.serviceWorker.register("/sw.js").catch(() => {
    // No worker (a private window, a browser setting): push is unavailable, the rest works.
  });
}

/** The registration, when there is one; null where service workers are unavailable. */
export async function workerRegistration(): Promise<ServiceWorkerRegistration | null> {
  if (!("serviceWorker" in navigator) || !isSecureContext) return null;
  return (await navigator.serviceWorker.getRegistration().catch(() => undefined)) ?? null;
}
