import { useEffect, useState } from "preact/hooks";
import { filesViewPath, parseFilesView, type FilesView } from "./files/files-route.ts";

export type Route =
  | { screen: "home" }
  | { screen: "session"; pairingId: string; sessionId: string }
  /** A session's changes and files (ui/files/). */
  | { screen: "files"; pairingId: string; sessionId: string; view: FilesView }
  | { screen: "new-session"; pairingId: string }
  | { screen: "notifications"; pairingId: string }
  /** A notification's link: the session, in whichever pairing of this origin knows it. */
  | { screen: "open"; sessionId: string };

/** Paths are real URLs (the daemon serves index.html for any of them), never holding secrets. */
export function parseRoute(pathname: string): Route {
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const view = parts[0] === "s" && parts.length > 3 ? parseFilesView(parts.slice(3)) : null;
  if (view) return { screen: "files", pairingId: parts[1]!, sessionId: parts[2]!, view };
  if (parts[0] === "s" && parts[1] && parts[2]) return { screen: "session", pairingId: parts[1], sessionId: parts[2] };
  if (parts[0] === "new" && parts[1]) return { screen: "new-session", pairingId: parts[1] };
  if (parts[0] === "notify" && parts[1]) return { screen: "notifications", pairingId: parts[1] };
  if (parts[0] === "open" && parts[1]) return { screen: "open", sessionId: parts[1] };
  return { screen: "home" };
}

export const paths = {
  home: () => "/",
  session: (pairingId: string, sessionId: string) => `/s/${encodeURIComponent(pairingId)}/${encodeURIComponent(sessionId)}`,
  files: (pairingId: string, sessionId: string, view: FilesView) => filesViewPath(paths.session(pairingId, sessionId), view),
  newSession: (pairingId: string) => `/new/${encodeURIComponent(pairingId)}`,
  notifications: (pairingId: string) => `/notify/${encodeURIComponent(pairingId)}`,
};

const listeners = new Set<() => void>();
/** How many entries of ours are behind this one: "back" must not leave the app. */
let depth = 0;

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, "", path);
  else {
    history.pushState(null, "", path);
    depth++;
  }
  for (const listener of listeners) listener();
}

/** Goes back when the previous page is ours, else home (a reloaded or shared deep link). */
export function goBack(): void {
  if (depth > 0) history.back();
  else navigate(paths.home(), { replace: true });
}

/** Calls `listener` after every change of page, ours or the browser's back and forward. */
export function onRouteChange(listener: () => void): () => void {
  listeners.add(listener);
  addEventListener("popstate", listener);
  return () => {
    listeners.delete(listener);
    removeEventListener("popstate", listener);
  };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.pathname));
    const popped = () => {
      depth = Math.max(0, depth - 1);
      update();
    };
    listeners.add(update);
    addEventListener("popstate", popped);
    return () => {
      listeners.delete(update);
      removeEventListener("popstate", popped);
    };
  }, []);
  return route;
}
