import { Hono } from "hono";
import {
  ActiveSessionsQuery,
  CreateSessionBody,
  MessagesQuery,
  SessionsPageQuery,
  SessionsQuery,
} from "../../protocol/rest.ts";
import type { Session } from "../../protocol/updates.ts";
import type { Page } from "../../store/budget.ts";
import type { RestDeps } from "./deps.ts";
import { badRequest, parseBody } from "./input.ts";
import { cursorOf, encodeCursor, RESPONSE_BUDGET_BYTES, SESSIONS_PAGE } from "./paging.ts";

const CURSOR_PREFIX = "cursor_v1_";
/** The prefix and a session id as newId makes them (base-36 time, hex randomness). */
const CURSOR = /^cursor_v1_[0-9a-z]{9,}[0-9a-f]{16}$/;

/** A session list page with remcli's paging fields; the cursor is the time the list is sorted by. */
function sessionsPage(page: Page<Session>, sortedBy: (session: Session) => number) {
  const last = page.items.at(-1);
  const nextCursor = page.hasMore && last ? encodeCursor({ at: sortedBy(last), id: last.id }) : null;
  return { sessions: page.items, hasMore: page.hasMore, nextCursor };
}

/** /v1/sessions, their messages, and the /v2 session lists. */
export function sessionRoutes({ store, writes }: RestDeps) {
  const app = new Hono();

  app.get("/v1/sessions", (c) => {
    const query = SessionsQuery.safeParse(c.req.query());
    if (!query.success) return badRequest(c, query.error, "query");
    const after = cursorOf(c, query.data.cursor);
    if (after instanceof Response) return after;
    const page = store.sessions.newest(after, { limit: SESSIONS_PAGE, budget: RESPONSE_BUDGET_BYTES });
    return c.json(sessionsPage(page, (s) => s.updatedAt));
  });

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
    const page = store.messages.page(id, query.data, RESPONSE_BUDGET_BYTES);
    const last = page.items.at(-1);
    // Where the next page starts, in this page's direction: pass it back as before= or after=.
    const next = !page.hasMore || !last ? {} : query.data.after !== undefined ? { nextAfter: last.seq } : { nextBefore: last.seq };
    return c.json({ messages: page.items, hasMore: page.hasMore, ...next });
  });

  app.get("/v2/sessions/active", (c) => {
    const query = ActiveSessionsQuery.safeParse(c.req.query());
    if (!query.success) return badRequest(c, query.error, "query");
    const after = cursorOf(c, query.data.cursor);
    if (after instanceof Response) return after;
    const page = store.sessions.active(after, { limit: query.data.limit, budget: RESPONSE_BUDGET_BYTES });
    return c.json(sessionsPage(page, (s) => s.activeAt));
  });

  app.get("/v2/sessions", (c) => {
    const query = SessionsPageQuery.safeParse(c.req.query());
    if (!query.success) return badRequest(c, query.error, "query");
    const { cursor, limit, changedSince } = query.data;
    if (cursor !== undefined && !CURSOR.test(cursor)) return badRequest(c, "cursor: not a cursor");
    const before = cursor === undefined ? null : cursor.slice(CURSOR_PREFIX.length);
    // A page cut short by bytes is a page like any other: hasNext and its cursor say where to go on.
    const page = store.sessions.page(
      { before, changedSince: changedSince ?? 0 },
      { limit, budget: RESPONSE_BUDGET_BYTES },
    );
    const last = page.items.at(-1);
    const nextCursor = page.hasMore && last ? `${CURSOR_PREFIX}${last.id}` : null;
    return c.json({ sessions: page.items, nextCursor, hasNext: page.hasMore });
  });

  return app;
}
