import { openPath, toolSummary } from "../../protocol/notify.ts";
import type { Links } from "../links.ts";
import type { Link } from "../sync/link.ts";
import { sessionTitle, type SessionView } from "../sync/views.ts";
import { onRouteChange, parseRoute } from "../ui/router.ts";
import { workerRegistration } from "./service-worker.ts";

const BASE_TITLE = "remcli";
const SOUND_KEY = "remcli.notify.sound";

/** What a session did that wants the user: a new permission request, or its turn ended. */
export type AppEvent = { kind: "permission" | "finished"; sessionId: string; title: string; body: string };
type Seen = { requests: Set<string>; thinking: boolean };

/** The events between what was seen of a session and what it is now; nothing on the first sight. */
export function sessionEvents(previous: Seen | undefined, session: SessionView): { events: AppEvent[]; seen: Seen } {
  const requests = session.agentState?.requests ?? {};
  const seen = { requests: new Set(Object.keys(requests)), thinking: session.thinking };
  if (!previous) return { events: [], seen };
  const name = sessionTitle(session);
  const events: AppEvent[] = [];
  for (const [id, request] of Object.entries(requests)) {
    if (!previous.requests.has(id)) events.push({ kind: "permission", sessionId: session.id, title: `Approval needed · ${name}`, body: toolSummary(request.tool, request.arguments) });
  }
  if (previous.thinking && !session.thinking && session.active && seen.requests.size === 0) {
    events.push({ kind: "finished", sessionId: session.id, title: `Done · ${name}`, body: "The agent finished its turn." });
  }
  return { events, seen };
}

export const soundOn = () => localStorage.getItem(SOUND_KEY) === "1";
export const setSound = (on: boolean) => (on ? localStorage.setItem(SOUND_KEY, "1") : localStorage.removeItem(SOUND_KEY));

/** A short two-tone chime, made here: the app ships no sound files. */
function chime(): void {
  try {
    const audio = new AudioContext();
    for (const [at, hz] of [[0, 880], [0.18, 660]] as const) {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = hz;
      gain.gain.setValueAtTime(0.15, audio.currentTime + at);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + at + 0.16);
      tone.connect(gain).connect(audio.destination);
      tone.start(audio.currentTime + at);
      tone.stop(audio.currentTime + at + 0.17);
    }
    setTimeout(() => void audio.close(), 600);
  } catch {
    // No audio here (or not allowed before a tap): the other signals still happen.
  }
}

/** A system notification while the page is hidden; with the same tag as a Web Push one, it replaces rather than doubles it. */
async function systemNotification(event: AppEvent, open: (path: string) => void): Promise<void> {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  const options = { body: event.body, tag: `remcli-${event.sessionId}`, data: { url: openPath(event.sessionId) } };
  const registration = await workerRegistration();
  if (registration) return registration.showNotification(event.title, options);
  const shown = new Notification(event.title, options);
  shown.onclick = () => {
    focus();
    open(openPath(event.sessionId));
  };
}

/**
 * The open app's own signals (in-app channel): a title badge — `(2) remcli` — for what
 * happened in sessions the user is not looking at, and while the page is hidden also a
 * system notification (when allowed), a vibration and, if chosen, a chime. Nothing at
 * all for the session on screen. It reads what the app already decrypted, so the daemon
 * sends nothing extra over the network for it.
 */
export function createAttention(links: Links, open: (path: string) => void) {
  const seen = new Map<string, Seen>();
  const unseen = new Map<string, number>();
  const watched = new Map<string, { link: Link; stop: () => void }>();
  const hidden = () => document.visibilityState === "hidden";

  const onScreen = (link: Link, sessionId: string) => {
    const route = parseRoute(location.pathname);
    return !hidden() && route.screen === "session" && route.pairingId === link.pairing.id && route.sessionId === sessionId;
  };
  const render = () => {
    const route = parseRoute(location.pathname);
    if (!hidden() && route.screen === "session") unseen.delete(`${route.pairingId}:${route.sessionId}`);
    const total = [...unseen.values()].reduce((sum, n) => sum + n, 0);
    document.title = total > 0 ? `(${total}) ${BASE_TITLE}` : BASE_TITLE;
  };

  const signal = (link: Link, event: AppEvent) => {
    if (onScreen(link, event.sessionId)) return;
    const key = `${link.pairing.id}:${event.sessionId}`;
    unseen.set(key, (unseen.get(key) ?? 0) + 1);
    if (!hidden()) return;
    // A worker not active yet, or a browser that refuses: the badge and the vibration still happen.
    void systemNotification(event, open).catch(() => {});
    navigator.vibrate?.([200, 100, 200]);
    if (soundOn()) chime();
  };

  const look = (link: Link) => {
    for (const session of link.sessions()) {
      const key = `${link.pairing.id}:${session.id}`;
      const { events, seen: now } = sessionEvents(seen.get(key), session);
      seen.set(key, now);
      for (const event of events) signal(link, event);
    }
    render();
  };

  // A re-scanned pairing gets a new link under the same id: follow the new one.
  const watch = () => {
    for (const link of links.all()) {
      const current = watched.get(link.pairing.id);
      if (current?.link === link) continue;
      current?.stop();
      watched.set(link.pairing.id, { link, stop: link.subscribe(() => look(link)) });
      look(link);
    }
  };
  watch();
  links.subscribe(watch);
  onRouteChange(render);
  document.addEventListener("visibilitychange", render);
}
