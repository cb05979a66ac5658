import { useState } from "preact/hooks";
import type { Link } from "../../sync/link.ts";
import { shortPath } from "../../sync/views.ts";
import { agentName } from "../parts/agent-picker.tsx";
import { StateBadge } from "../parts/state-badge.tsx";
import { ago } from "../parts/time.ts";
import { navigate, paths } from "../router.ts";
import type { ListedSession } from "./session-list.ts";

const STATE_WORD = { thinking: "thinking", "needs-approval": "needs approval", idle: "idle", offline: "ended" } as const;

/**
 * One session in the list: its name, directory, agent, state, last activity and latest
 * line, and what can be done to it — rename; archive and delete once it has ended (a
 * running agent is stopped first, from its page).
 */
export function SessionRow({ link, item }: { link: Link; item: ListedSession }) {
  const { session } = item;
  const [mode, setMode] = useState<"view" | "rename" | "delete">("view");
  const [problem, setProblem] = useState<string | null>(null);
  const href = paths.session(link.pairing.id, session.id);
  const ended = item.state === "offline";
  const readable = session.metadata !== null;

  const run = async (work: () => Promise<void>) => {
    setProblem(null);
    try {
      await work();
      setMode("view");
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    }
  };
  const closeMenu = (event: Event) => (event.currentTarget as HTMLElement).closest("details")?.removeAttribute("open");

  if (mode === "rename") return <RenameRow item={item} problem={problem} cancel={() => setMode("view")} save={(name) => run(() => link.updateMetadata(session.id, (m) => withName(m, name)))} />;

  return (
    <li class={`session-row state-${item.state}${item.archived ? " archived" : ""}`}>
      <a
        href={href}
        aria-label={`Open session ${item.title}, ${STATE_WORD[item.state]}`}
        onClick={(event) => {
          event.preventDefault();
          navigate(href);
        }}
      >
        <div class="session-row-head">
          <span class="session-title">{item.title}</span>
          <StateBadge state={item.state} />
        </div>
        <div class="muted session-row-meta">
          <span class="path">{shortPath(item.path, session.metadata?.homeDir)}</span>
          <span>
            {agentName(session.metadata?.flavor)} · {ago(item.lastActivity)}
          </span>
        </div>
        {item.preview ? <p class={`session-preview preview-${item.preview.kind}`}>{item.preview.kind === "user" ? `You: ${item.preview.text}` : item.preview.text}</p> : null}
      </a>
      {readable ? (
        <details class="menu row-menu">
          <summary aria-label={`Actions for ${item.title}`}>⋯</summary>
          <div class="menu-items">
            <button type="button" onClick={(e) => { closeMenu(e); setMode("rename"); }}>Rename…</button>
            {ended ? (
              <button type="button" onClick={(e) => { closeMenu(e); void run(() => link.updateMetadata(session.id, (m) => withArchived(m, !item.archived))); }}>
                {item.archived ? "Unarchive" : "Archive"}
              </button>
            ) : null}
            {ended ? <button type="button" class="danger" onClick={(e) => { closeMenu(e); setMode("delete"); }}>Delete…</button> : null}
          </div>
        </details>
      ) : null}
      {mode === "delete" ? (
        <div class="confirm" role="alertdialog" aria-label={`Delete ${item.title}?`}>
          <p>Delete “{item.title}”? Its conversation is deleted on the computer too; this cannot be undone.</p>
          <div class="row">
            <button type="button" class="danger" onClick={() => void run(() => link.deleteSession(session.id))}>Delete</button>
            <button type="button" onClick={() => setMode("view")}>Cancel</button>
          </div>
        </div>
      ) : null}
      {problem ? <p class="error" role="alert">Could not change the session: {problem}</p> : null}
    </li>
  );
}

function RenameRow(props: { item: ListedSession; problem: string | null; cancel: () => void; save: (name: string) => void }) {
  const [name, setName] = useState(props.item.title);
  return (
    <li class="session-row renaming">
      <form
        class="rename"
        onSubmit={(event) => {
          event.preventDefault();
          props.save(name.trim());
        }}
      >
        <label>
          Session name
          <input value={name} maxLength={200} autoFocus onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <div class="row">
          <button type="submit" class="primary">Save</button>
          <button type="button" onClick={props.cancel}>Cancel</button>
        </div>
        <p class="muted">An empty name goes back to the agent's summary or the first message.</p>
        {props.problem ? <p class="error" role="alert">Could not rename the session: {props.problem}</p> : null}
      </form>
    </li>
  );
}

/** The name the user gave; none gives the session back its summary or first request. */
function withName(metadata: Record<string, unknown>, name: string): Record<string, unknown> {
  const { name: _old, ...rest } = metadata;
  return name ? { ...rest, name } : rest;
}

function withArchived(metadata: Record<string, unknown>, archived: boolean): Record<string, unknown> {
  const { archivedAt: _old, ...rest } = metadata;
  return archived ? { ...rest, archivedAt: Date.now() } : rest;
}
