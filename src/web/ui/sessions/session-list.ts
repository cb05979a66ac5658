import { sessionState, sessionTitle, type SessionState, type SessionView } from "../../sync/views.ts";
import type { Preview } from "./preview.ts";

/** A session as the home screen lists it. */
export type ListedSession = {
  session: SessionView;
  title: string;
  path: string;
  state: SessionState;
  lastActivity: number;
  preview: Preview | null;
  archived: boolean;
};

/** (remcli extension) When the phone's user archived it: hidden from the list, kept on the computer. */
export const archivedAt = (session: SessionView): number | null => {
  const at = session.metadata?.archivedAt;
  return typeof at === "number" ? at : null;
};

export function listed(session: SessionView, notes: { preview: Preview | null; first: string | null }): ListedSession {
  const state = sessionState(session);
  return {
    session,
    title: sessionTitle(session, notes.first),
    path: session.metadata?.path ?? "",
    state,
    lastActivity: Math.max(session.activeAt, session.wire.updatedAt),
    preview: notes.preview,
    // A session running again (resumed) is back in the list, whatever its flag says.
    archived: archivedAt(session) !== null && state === "offline",
  };
}

/** Every word of the query, in the name, the directory or the preview, ignoring case. */
export function matches(session: ListedSession, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = `${session.title}\n${session.path}\n${session.preview?.text ?? ""}`.toLowerCase();
  return words.every((word) => haystack.includes(word));
}

const RANK: Record<SessionState, number> = { "needs-approval": 0, thinking: 1, idle: 1, offline: 1 };

/** Those waiting for an answer first, then the most recently active. */
export function sortSessions(sessions: ListedSession[]): ListedSession[] {
  return [...sessions].sort((a, b) => RANK[a.state] - RANK[b.state] || b.lastActivity - a.lastActivity);
}
