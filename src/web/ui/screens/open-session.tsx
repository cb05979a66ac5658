import { useEffect } from "preact/hooks";
import type { Links } from "../../links.ts";
import { navigate, paths } from "../router.ts";

/**
 * Where a notification's link lands (`/open/<session>`): the daemon does not know this
 * browser's pairing ids, so the app finds the pairing that knows the session once its
 * lists are read, and goes there; to the session list when none does.
 */
export function OpenSession({ links, sessionId }: { links: Links; sessionId: string }) {
  useEffect(() => {
    const look = () => {
      const link = links.all().find((l) => l.session(sessionId));
      if (link) return navigate(paths.session(link.pairing.id, sessionId), { replace: true });
      const settled = links.all().every((l) => l.refreshed || l.status.kind === "rotated" || l.status.kind === "elsewhere" || l.status.kind === "offline");
      if (settled) navigate(paths.home(), { replace: true });
    };
    const stops = links.all().map((link) => link.subscribe(look));
    look();
    return () => stops.forEach((stop) => stop());
  }, [links, sessionId]);
  return (
    <main class="screen">
      <p class="muted" role="status">Opening the session…</p>
    </main>
  );
}
