import type { Link } from "../sync/link.ts";
import { workerRegistration } from "./service-worker.ts";

/** Whether this browser can get Web Push here, and if not, why (each case has its own advice). */
export type PushSupport = "ok" | "insecure" | "ios-home-screen" | "unsupported" | "blocked";

const isIos = () => /iPad|iPhone|iPod/.test(navigator.userAgent) || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
const isStandalone = () =>
  matchMedia("(display-mode: standalone)").matches || (navigator as Navigator & { standalone?: boolean }).standalone === true;

export function pushSupport(): PushSupport {
  // http://<LAN-IP> is not a secure context: no service worker, no push (the tunnel is HTTPS).
  if (!isSecureContext) return "insecure";
  // iOS and iPadOS (16.4+) give push only to a web app opened from the Home Screen.
  if (isIos() && !isStandalone()) return "ios-home-screen";
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) return "unsupported";
  if (Notification.permission === "denied") return "blocked";
  return "ok";
}

/** A name for this browser in `remcli notify status`. */
function browserLabel(): string {
  const ua = navigator.userAgent;
  const browser = /Firefox\//.test(ua) ? "Firefox" : /Edg\//.test(ua) ? "Edge" : /Chrome\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "Browser";
  const system = /Android/.test(ua) ? "Android" : isIos() ? "iOS" : /Mac OS X/.test(ua) ? "macOS" : /Windows/.test(ua) ? "Windows" : /Linux/.test(ua) ? "Linux" : "";
  return system ? `${browser} on ${system}` : browser;
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64url.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** This browser's push subscription's endpoint, or null when it has none. */
export async function currentEndpoint(): Promise<string | null> {
  const registration = await workerRegistration();
  return (await registration?.pushManager.getSubscription())?.endpoint ?? null;
}

/**
 * Asks for the permission, subscribes with the daemon's VAPID key and hands the
 * subscription to the daemon over the encrypted, single-use machine RPC.
 */
export async function subscribePush(link: Link, machineId: string, vapidPublicKey: string): Promise<void> {
  if ((await Notification.requestPermission()) !== "granted") throw new Error("notifications are not allowed for this page");
  const registration = (await workerRegistration()) ?? (await navigator.serviceWorker.ready);
  const existing = await registration.pushManager.getSubscription();
  const subscription = existing ?? (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(vapidPublicKey) }));
  await link.machineRpc(machineId, "notify-subscribe", { subscription: subscription.toJSON(), label: browserLabel() });
}

export async function unsubscribePush(link: Link, machineId: string): Promise<void> {
  const registration = await workerRegistration();
  const subscription = await registration?.pushManager.getSubscription();
  if (!subscription) return;
  await link.machineRpc(machineId, "notify-unsubscribe", { endpoint: subscription.endpoint });
  await subscription.unsubscribe();
}
