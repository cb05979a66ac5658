import type { Store } from "../store/store.ts";

/** How stale a stored `activeAt` may get while a client keeps saying it is alive. */
const PERSIST_EVERY_MS = 10_000;

/**
 * Who is active. Alive pings arrive every few seconds per session; the database is
 * written on every change of state, and otherwise at most every PERSIST_EVERY_MS.
 */
export function createPresence(store: Store) {
  const written = new Map<string, { active: boolean; at: number }>();
  /** Sessions whose last alive ping said their agent is working (memory only). */
  const thinking = new Set<string>();

  const record = (key: string, active: boolean, at: number, write: () => boolean): boolean => {
    const last = written.get(key);
    if (last && last.active === active && at - last.at < PERSIST_EVERY_MS) return true;
    const known = write();
    if (known) written.set(key, { active, at });
    else written.delete(key);
    return known;
  };

  return {
    session: (id: string, active: boolean, at: number, busy = false) => {
      const known = record(`s:${id}`, active, at, () => store.sessions.setActive(id, active, at));
      // Only sessions that exist: any token holder can ping made-up ids, which must cost no memory.
      if (known && active && busy) thinking.add(id);
      else thinking.delete(id);
      return known;
    },
    /** Whether the session's last ping said it is thinking: a restart waits for it to be idle. */
    thinking: (id: string) => thinking.has(id),
    machine: (id: string, active: boolean, at: number) =>
      record(`m:${id}`, active, at, () => store.machines.setActive(id, active, at)),
  };
}

export type Presence = ReturnType<typeof createPresence>;
