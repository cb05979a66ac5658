import { z } from "zod";
import { MachineWire, SessionWire, StoredMessage } from "./updates.ts";

// remcli's paging extensions of the REST lists (docs/protocol-extensions.md): every list
// answer is bounded in bytes as well as in rows, and a page cut short says how to go on.
// The reference app reads only the fields it knows and ignores these.

/** A list cursor as the daemon hands it out: opaque to clients, passed back as `?cursor=`. */
export const ListCursor = z.string().min(1).max(400);

/**
 * `GET /v1/machines` answers a bare array (PROTOCOL.md §6), so a page cut short says so
 * in this header, whose value is the `cursor` of the next page.
 */
export const NEXT_CURSOR_HEADER = "remcli-next-cursor";

/** `GET /v1/sessions/:id/messages`: `nextBefore` or `nextAfter` (the query's direction) when `hasMore`. */
export const MessagesPage = z.object({
  messages: z.array(StoredMessage),
  hasMore: z.boolean(),
  nextBefore: z.number().int().optional(),
  nextAfter: z.number().int().optional(),
});
export type MessagesPage = z.infer<typeof MessagesPage>;

/** `GET /v1/sessions` and `GET /v2/sessions/active`. */
export const SessionsPage = z.object({
  sessions: z.array(SessionWire),
  hasMore: z.boolean(),
  nextCursor: ListCursor.nullable(),
});
export type SessionsPage = z.infer<typeof SessionsPage>;

export const MachinesPage = z.array(MachineWire);
