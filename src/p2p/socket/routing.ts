import type { Ephemeral, Update, UpdateBody } from "../../protocol/updates.ts";
import { newId } from "../../store/ids.ts";
import type { UserSeqCounter } from "../../store/counters.ts";
import type { IoServer, IoSocket } from "./io.ts";

/**
 * Rooms instead of scanning every connection: a user-scoped socket joins `user`, a
 * session-scoped one `session:<id>`, a machine-scoped one `machine:<id>`. An update
 * goes to `user` plus the room of what it is about.
 */
export const rooms = {
  user: "user",
  session: (id: string) => `session:${id}`,
  machine: (id: string) => `machine:${id}`,
};

export type Target = { session: string } | { machine: string } | "user";

function roomsOf(target: Target): string[] {
  if (target === "user") return [rooms.user];
  if ("session" in target) return [rooms.user, rooms.session(target.session)];
  return [rooms.user, rooms.machine(target.machine)];
}

export function createPublisher(io: IoServer, userSeq: UserSeqCounter) {
  return {
    /** Numbers an update; call inside the transaction of the write it describes. */
    prepare(body: UpdateBody): Update {
      return { id: newId(), seq: userSeq.next(), body, createdAt: Date.now() };
    },
    /** Numbers several updates with one counter write, in order. */
    prepareAll(bodies: UpdateBody[]): Update[] {
      if (bodies.length === 0) return [];
      const first = userSeq.reserve(bodies.length);
      const now = Date.now();
      return bodies.map((body, index) => ({ id: newId(now), seq: first + index, body, createdAt: now }));
    },
    /** Sends a committed update; the socket that caused it does not get it back. */
    send(update: Update, target: Target, except?: IoSocket): void {
      const to = roomsOf(target);
      (except ? except.to(to) : io.to(to)).emit("update", update);
    },
    /** Presence, not stored: user-scoped connections only. */
    ephemeral(payload: Ephemeral, except?: IoSocket): void {
      (except ? except.to(rooms.user) : io.to(rooms.user)).emit("ephemeral", payload);
    },
  };
}

export type Publisher = ReturnType<typeof createPublisher>;
