import { useEffect, useRef, useState } from "preact/hooks";
import { gitStatus, type StatusResult } from "../../files/git.ts";
import { sessionFiles } from "../../files/session-files.ts";
import type { Link } from "../../sync/link.ts";

type Entry = { result: StatusResult | null; error: string | null; loading: Promise<void> | null; listeners: Set<() => void> };

/** The last status of each session, kept while the app runs: the screens show it at once, then refresh. */
const entries = new WeakMap<Link, Map<string, Entry>>();

function entryOf(link: Link, sid: string): Entry {
  let bySession = entries.get(link);
  if (!bySession) entries.set(link, (bySession = new Map()));
  let entry = bySession.get(sid);
  if (!entry) bySession.set(sid, (entry = { result: null, error: null, loading: null, listeners: new Set() }));
  return entry;
}

/** One status command at a time per session: a second refresh asked meanwhile waits for it. */
function refresh(link: Link, sid: string): Promise<void> {
  const entry = entryOf(link, sid);
  const changed = () => entry.listeners.forEach((listener) => listener());
  entry.loading ??= gitStatus(sessionFiles(link, sid))
    .then((result) => {
      entry.result = result;
      entry.error = null;
    })
    .catch((error: unknown) => {
      entry.error = error instanceof Error ? error.message : String(error);
    })
    .finally(() => {
      entry.loading = null;
      changed();
    });
  changed();
  return entry.loading;
}

/** The seq of the newest end of a turn the phone has seen, 0 for none, -1 before the conversation loaded. */
function lastTurnEnd(link: Link, sid: string): number {
  const { state } = link.conversation(sid);
  if (!state.loaded) return -1;
  for (let i = state.messages.length - 1; i >= 0; i--) {
    const plain = state.messages[i]!.plain;
    if (plain?.role === "agent" && plain.content.type === "output" && (plain.content.data as { type?: unknown }).type === "result") return state.messages[i]!.seq;
  }
  return 0;
}

/**
 * The git status of a session's directory, read on mount and again each time the agent
 * finishes a turn (a new `result` message, or its thinking ends), so what the agent just
 * changed shows without a pull. The caller re-renders on link changes (useLink).
 */
export function useGitStatus(link: Link, sid: string) {
  const entry = entryOf(link, sid);
  const [, setVersion] = useState(0);
  useEffect(() => {
    const listener = () => setVersion((v) => v + 1);
    entry.listeners.add(listener);
    return () => void entry.listeners.delete(listener);
  }, [entry]);

  const session = link.session(sid);
  const active = session?.active ?? false;
  const thinking = session?.thinking ?? false;
  const turn = lastTurnEnd(link, sid);
  const seen = useRef({ turn, thinking, asked: false });
  useEffect(() => {
    // The conversation's live messages carry the end of each turn.
    if (session) void link.conversation(sid).open();
  }, [link, sid, session !== undefined]);
  useEffect(() => {
    const before = seen.current;
    const turnEnded = (before.turn >= 0 && turn > before.turn) || (before.thinking && !thinking);
    seen.current = { turn, thinking, asked: before.asked || active };
    if (active && (!before.asked || turnEnded)) void refresh(link, sid);
  }, [link, sid, active, turn, thinking]);

  return {
    result: entry.result,
    error: entry.error,
    loading: entry.loading !== null,
    active,
    refresh: () => refresh(link, sid),
  };
}
