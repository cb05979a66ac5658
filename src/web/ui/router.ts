import { useEffect, useState } from "preact/hooks";

export type Route =
  | { screen: "home" }
  | { screen: "session"; pairingId: string; sessionId: string }
  | { screen: "new-session"; pairingId: string };

/** Paths are real URLs (the daemon serves index.html for any of them), never holding secrets. */
export function parseRoute(pathname: string): Route {
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "s" && parts[1] && parts[2]) return { screen: "session", pairingId: parts[1], sessionId: parts[2] };
  if (parts[0] === "new" && parts[1]) return { screen: "new-session", pairingId: parts[1] };
  return { screen: "home" };
}

export const paths = {
  home: () => "/",
  session: (pairingId: string, sessionId: string) => `/s/${encodeURIComponent(pairingId)}/${encodeURIComponent(sessionId)}`,
  newSession: (pairingId: string) => `/new/${encodeURIComponent(pairingId)}`,
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
