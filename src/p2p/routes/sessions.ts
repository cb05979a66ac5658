import { Hono } from "hono";
import {
  ActiveSessionsQuery,
  CreateSessionBody,
  MessagesQuery,
  SessionsPageQuery,
} from "../../protocol/rest.ts";
import type { RestDeps } from "./deps.ts";
import { badRequest, parseBody } from "./input.ts";

const CURSOR_PREFIX = "cursor_v1_";
/** The prefix and a session id as newId makes them (base-36 time, hex randomness). */
const CURSOR = /^cursor_v1_[0-9a-z]{9,}[0-9a-f]{16}$/;

/** /v1/sessions, their messages, and the /v2 session lists. */
export function sessionRoutes({ store, writes }: RestDeps) {
  const app = new Hono();

  app.get("/v1/sessions", (c) => c.json({ sessions: store.sessions.newest(150) }));

  app.post("/v1/sessions", async (c) => {
    const body = await parseBody(c, CreateSessionBody);
    if (!body.ok) return body.response;
    const { session } = writes.createSession({
      tag: body.data.tag,
      metadata: body.data.metadata,
      agentState: body.data.agentState ?? null,
      dataEncryptionKey: body.data.dataEncryptionKey ?? null,
    });
    return c.json({ session });
  });

  app.delete("/v1/sessions/:id", (c) => {
    const id = c.req.param("id");
    if (!writes.deleteSession(id)) return c.json({ error: `Session not found: ${id}` }, 404);
    return c.json({ success: true });
  });

  app.get("/v1/sessions/:id/messages", (c) => {
    const id = c.req.param("id");
    const query = MessagesQuery.safeParse(c.req.query());
    if (!query.success) return badRequest(c, query.error, "query");
    if (!store.sessions.get(id)) return c.json({ error: `Session not found: ${id}` }, 404);
    return c.json({ messages: store.messages.list(id, query.data) });
  });

  app.get("/v2/sessions/active", (c) => {
    const query = ActiveSessionsQuery.safeParse(c.req.query());
    if (!query.success) return badRequest(c, query.error, "query");
    return c.json({ sessions: store.sessions.active(query.data.limit) });
  });

  app.get("/v2/sessions", (c) => {
    const query = SessionsPageQuery.safeParse(c.req.query());
    if (!query.success) return badRequest(c, query.error, "query");
    const { cursor, limit, changedSince } = query.data;
    if (cursor !== undefined && !CURSOR.test(cursor)) return badRequest(c, "cursor: not a cursor");
    const before = cursor === undefined ? null : cursor.slice(CURSOR_PREFIX.length);
    // One extra row tells whether there is a next page without a second query.
    const rows = store.sessions.page({ before, limit: limit + 1, changedSince: changedSince ?? 0 });
    const sessions = rows.slice(0, limit);
    const hasNext = rows.length > limit;
    const last = sessions.at(-1);
    return c.json({ sessions, nextCursor: hasNext && last ? `${CURSOR_PREFIX}${last.id}` : null, hasNext });
  });

  return app;
}
