import { useEffect, useMemo, useState } from "preact/hooks";
import type { Link } from "../../sync/link.ts";
import { sessionNotes } from "./notes.ts";
import { listed, matches, sortSessions } from "./session-list.ts";
import { SessionRow } from "./session-row.tsx";

/** A link's sessions: searchable by name, directory and latest line; those needing an answer first. */
export function SessionList({ link }: { link: Link }) {
  const notes = sessionNotes(link);
  const [query, setQuery] = useState("");
  const [showArchived, setShowArchived] = useState(false);
  const [, setVersion] = useState(0);
  useEffect(() => notes.subscribe(() => setVersion((v) => v + 1)), [notes]);

  const sessions = link.sessions();
  useEffect(() => notes.want(sessions), [link.version, link.status.kind]);
  const all = useMemo(
    () => sortSessions(sessions.map((s) => listed(s, { preview: notes.preview(s.id), first: notes.first(s.id) }))),
    [link.version, notes.version],
  );
  const archived = all.filter((s) => s.archived);
  const shown = all.filter((s) => s.archived === showArchived && matches(s, query));

  return (
    <>
      <h2 class="section-title">{showArchived ? "Archived sessions" : "Sessions"}</h2>
      {all.length > 0 ? (
        <input
          type="search"
          class="session-search"
          aria-label="Search sessions"
          placeholder="Search by name, folder or message"
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
      ) : null}
      {all.length === 0 && link.refreshed ? <p class="muted">No sessions yet. Start one above.</p> : null}
      {all.length > 0 && shown.length === 0 ? (
        <p class="muted">{query ? `No ${showArchived ? "archived " : ""}session matches “${query}”.` : "No sessions here."}</p>
      ) : null}
      <ul class="sessions">
        {shown.map((item) => (
          <SessionRow key={item.session.id} link={link} item={item} />
        ))}
      </ul>
      {archived.length > 0 || showArchived ? (
        <button type="button" class="link-button" onClick={() => setShowArchived(!showArchived)}>
          {showArchived ? "Back to sessions" : `Archived (${archived.length})`}
        </button>
      ) : null}
    </>
  );
}
