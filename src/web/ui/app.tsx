import { useEffect, useState } from "preact/hooks";
import type { Links } from "../links.ts";
import type { Pairing } from "../pairing/pairings.ts";
import { FilesScreen } from "./files/files-screen.tsx";
import { useRoute, navigate, paths } from "./router.ts";
import { HomeScreen } from "./screens/home-screen.tsx";
import { NewSessionScreen } from "./screens/new-session-screen.tsx";
import { NotificationsScreen } from "./screens/notifications-screen.tsx";
import { OpenSession } from "./screens/open-session.tsx";
import { SessionScreen } from "./screens/session-screen.tsx";
import { WelcomeScreen } from "./screens/welcome-screen.tsx";

export type Startup = { notice: string | null; problem: string | null };

export function App({ links, startup }: { links: Links; startup: Startup }) {
  const route = useRoute();
  const [, setVersion] = useState(0);
  const [news, setNews] = useState(startup);
  useEffect(() => links.subscribe(() => setVersion((v) => v + 1)), [links]);
  /** Paired by hand: the new link, and the news of it on the home screen. */
  const paired = (pairing: Pairing, notice: string) => {
    setNews({ notice, problem: null });
    links.add(pairing);
    navigate(paths.home());
  };

  if (links.all().length === 0) return <WelcomeScreen problem={news.problem} paired={paired} />;

  if (route.screen === "open") return <OpenSession links={links} sessionId={route.sessionId} />;
  if (route.screen === "session" || route.screen === "files" || route.screen === "new-session" || route.screen === "notifications") {
    const link = links.get(route.pairingId);
    if (!link) {
      // A page of a pairing that was forgotten (or of another browser): go home.
      queueMicrotask(() => navigate(paths.home(), { replace: true }));
      return null;
    }
    if (route.screen === "new-session") return <NewSessionScreen link={link} />;
    if (route.screen === "notifications") return <NotificationsScreen link={link} />;
    if (route.screen === "files") return <FilesScreen link={link} sessionId={route.sessionId} view={route.view} />;
    return <SessionScreen key={route.sessionId} link={link} sessionId={route.sessionId} forget={() => links.forget(link.pairing.id)} />;
  }
  return <HomeScreen links={links} notice={news.notice} problem={news.problem} paired={paired} />;
}
