import type { ComponentChildren } from "preact";
import { changeCount } from "../../files/git-status.ts";
import type { Link } from "../../sync/link.ts";
import { sessionTitle } from "../../sync/views.ts";
import { LinkBanner } from "../parts/link-banner.tsx";
import { goBack, navigate, paths } from "../router.ts";
import { useLink } from "../use-link.ts";
import type { FilesView } from "./files-route.ts";
import { useGitStatus } from "./use-git-status.ts";
import "./files.css";

type Tab = "chat" | "changes" | "files";

/** A link that moves within the app without reloading it. */
export function AppLink(props: { href: string; class?: string; label?: string; current?: boolean; children: ComponentChildren }) {
  return (
    <a
      href={props.href}
      class={props.class}
      aria-label={props.label}
      aria-current={props.current ? "page" : undefined}
      onClick={(event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        if (!props.current) navigate(props.href);
      }}
    >
      {props.children}
    </a>
  );
}

/**
 * Chat, Changes and Files of one session. The Changes tab counts the changed files,
 * kept current by the git status the agent's finished turns refresh.
 */
export function SessionTabs({ link, sessionId, current }: { link: Link; sessionId: string; current: Tab }) {
  const { result } = useGitStatus(link, sessionId);
  const count = result?.kind === "status" ? changeCount(result.status) : null;
  const pid = link.pairing.id;
  const to = (view: FilesView) => paths.files(pid, sessionId, view);
  return (
    <nav class="session-tabs" aria-label="Session views">
      <AppLink href={paths.session(pid, sessionId)} current={current === "chat"}>Chat</AppLink>
      <AppLink href={to({ kind: "changes" })} current={current === "changes"} label={count ? `Changes, ${count} files` : "Changes"}>
        Changes{count ? <span class="tab-count">{count}</span> : null}
      </AppLink>
      <AppLink href={to({ kind: "folder", path: "" })} current={current === "files"}>Files</AppLink>
    </nav>
  );
}

/** The frame of the Changes and Files pages: back, title, the tabs, the connection's state. */
export function FilesFrame(props: { link: Link; sessionId: string; tab: Tab; title: string; subtitle?: string; actions?: ComponentChildren; children: ComponentChildren }) {
  const { link, sessionId } = props;
  useLink(link);
  const session = link.session(sessionId);
  return (
    <main class="screen files-screen">
      <header class="topbar">
        <button type="button" class="back" aria-label="Back" onClick={goBack}>‹</button>
        <div class="topbar-title">
          <h1>{props.title}</h1>
          <p class="muted path">{props.subtitle ?? (session ? sessionTitle(session) : "")}</p>
        </div>
        {props.actions}
      </header>
      <SessionTabs link={link} sessionId={sessionId} current={props.tab} />
      <LinkBanner link={link} />
      {link.refreshed && session && !session.active ? (
        <p class="banner banner-warn" role="status">This session is not running: its files can be read only while it runs.</p>
      ) : null}
      {props.children}
    </main>
  );
}
