import { z } from "zod";
import type { Link } from "../../sync/link.ts";
import { createObservable } from "../../sync/observable.ts";
import type { SessionView } from "../../sync/views.ts";
import { firstRequest, latestPreview, type Preview } from "./preview.ts";

/** What the list knows about a session beyond its metadata, and as of which change. */
const Note = z.object({
  at: z.number(),
  preview: z.object({ text: z.string(), kind: z.enum(["user", "agent", "event"]) }).nullable(),
  first: z.string().nullable().optional(),
});
type Note = z.infer<typeof Note>;

/** Messages read for a preview: enough to step over tool results to the last text. */
const LATEST = 12;
/** Requests in flight at once: a browser opens 6 connections per host, one is the socket, and the app needs one for itself. */
const PARALLEL = 4;
/** Notes kept per pairing (the list shows at most 150 sessions). */
const KEPT = 300;
/** A session that keeps changing (an agent at work) is read again at most this often. */
const REREAD_MS = 2_000;

const byLink = new WeakMap<Link, SessionNotes>();

/** The one notes store of a link, kept while the app runs. */
export function sessionNotes(link: Link): SessionNotes {
  let notes = byLink.get(link);
  if (!notes) byLink.set(link, (notes = createSessionNotes(link)));
  return notes;
}

/**
 * Each listed session's latest line and first request, read from its messages (the
 * daemon cannot: they are encrypted). Kept in localStorage by the session's last change,
 * so a session is read again only when it changed, a few at a time.
 */
function createSessionNotes(link: Link) {
  const storageKey = `remcli.notes.${link.pairing.id}`;
  const observable = createObservable();
  const notes = new Map<string, Note>(load(storageKey));
  const queue: SessionView[] = [];
  const reading = new Set<string>();
  const readAt = new Map<string, number>();
  let later: ReturnType<typeof setTimeout> | null = null;
  let wanted: readonly SessionView[] = [];

  const save = () => {
    const newest = [...notes.entries()].sort((a, b) => b[1].at - a[1].at).slice(0, KEPT);
    try {
      localStorage.setItem(storageKey, JSON.stringify(Object.fromEntries(newest)));
    } catch {
      // Storage full: previews are read again next time.
    }
  };

  const stale = (session: SessionView) => {
    const note = notes.get(session.id);
    return !note || note.at < session.wire.updatedAt || (note.first === undefined && needsFirst(session));
  };

  const read = async (session: SessionView) => {
    const previous = notes.get(session.id);
    const latest = await link.messages(session.id, { limit: LATEST });
    // The first request names a session only while it has no name or summary of its own.
    let first = previous?.first;
    if (first === undefined && needsFirst(session)) {
      const hasStart = latest[0]?.seq === 1;
      first = firstRequest(hasStart ? latest : await link.messages(session.id, { after: 0, limit: LATEST }));
    }
    notes.set(session.id, { at: session.wire.updatedAt, preview: latestPreview(latest), ...(first !== undefined ? { first } : {}) });
  };

  const pump = () => {
    while (reading.size < PARALLEL && queue.length > 0) {
      const session = queue.shift()!;
      if (reading.has(session.id) || !stale(link.session(session.id) ?? session)) continue;
      reading.add(session.id);
      readAt.set(session.id, Date.now());
      void read(link.session(session.id) ?? session)
        .then(() => {
          save();
          observable.changed();
        })
        .catch(() => {
          // Offline or gone: tried again the next time the list asks.
        })
        .finally(() => {
          reading.delete(session.id);
          pump();
        });
    }
  };

  const forgetAllBut = (listed: ReadonlySet<string>) => {
    let dropped = false;
    for (const id of notes.keys()) {
      if (!listed.has(id)) dropped = notes.delete(id) || dropped;
    }
    if (dropped) save();
  };

  /** Reads, in this order, the sessions whose notes are missing or older than their last change. */
  const want = (sessions: readonly SessionView[]): void => {
    wanted = sessions;
    if (link.status.kind !== "online") return;
    // A session deleted (here or elsewhere) leaves no line of its conversation on the phone.
    if (link.refreshed) forgetAllBut(new Set(sessions.map((s) => s.id)));
    const now = Date.now();
    const due = sessions.filter((s) => stale(s) && !reading.has(s.id));
    const soon = due.filter((s) => now - (readAt.get(s.id) ?? 0) < REREAD_MS);
    queue.length = 0;
    queue.push(...due.filter((s) => !soon.includes(s)));
    pump();
    if (soon.length > 0 && later === null) {
      later = setTimeout(() => {
        later = null;
        want(wanted);
      }, REREAD_MS);
    }
  };

  return {
    subscribe: observable.subscribe,
    get version() {
      return observable.version;
    },
    preview: (sid: string): Preview | null => notes.get(sid)?.preview ?? null,
    first: (sid: string): string | null => notes.get(sid)?.first ?? null,
    want,
  };
}

export type SessionNotes = ReturnType<typeof createSessionNotes>;

const needsFirst = (session: SessionView) => {
  const meta = session.metadata;
  return meta !== null && !meta.name && !(typeof meta.summary === "string" ? meta.summary : meta.summary?.text);
};

function load(key: string): Array<[string, Note]> {
  try {
    const parsed = z.record(z.string(), Note).safeParse(JSON.parse(localStorage.getItem(key) ?? "{}"));
    return parsed.success ? Object.entries(parsed.data) : [];
  } catch {
    return [];
  }
}
