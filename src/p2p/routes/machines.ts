import { Hono } from "hono";
import { NEXT_CURSOR_HEADER } from "../../protocol/paging.ts";
import { CreateMachineBody, MachinesQuery } from "../../protocol/rest.ts";
import type { RestDeps } from "./deps.ts";
import { badRequest, parseBody } from "./input.ts";
import { cursorOf, encodeCursor, MAX_MACHINES, RESPONSE_BUDGET_BYTES } from "./paging.ts";

/** /v1/machines: get-or-create, list (a bare array, as the app expects), one. */
export function machineRoutes({ store, writes }: RestDeps) {
  const app = new Hono();

  app.post("/v1/machines", async (c) => {
    const body = await parseBody(c, CreateMachineBody);
    if (!body.ok) return body.response;
    // The check and the insert run in one turn of the event loop: no other request between them.
    if (!store.machines.get(body.data.id) && store.machines.count() >= MAX_MACHINES) {
      return c.json({ error: `This daemon already keeps ${MAX_MACHINES} machines, the most it allows` }, 409);
    }
    const { machine } = writes.createMachine({
      id: body.data.id,
      metadata: body.data.metadata,
      daemonState: body.data.daemonState ?? null,
      dataEncryptionKey: body.data.dataEncryptionKey ?? null,
    });
    return c.json({ machine });
  });

  app.get("/v1/machines", (c) => {
    const query = MachinesQuery.safeParse(c.req.query());
    if (!query.success) return badRequest(c, query.error, "query");
    const after = cursorOf(c, query.data.cursor);
    if (after instanceof Response) return after;
    const page = store.machines.list(after, { limit: MAX_MACHINES, budget: RESPONSE_BUDGET_BYTES });
    const last = page.items.at(-1);
    // The body stays the bare array the reference app expects; the way on goes in a header.
    if (page.hasMore && last) c.header(NEXT_CURSOR_HEADER, encodeCursor({ at: last.updatedAt, id: last.id }));
    return c.json(page.items);
  });

  app.get("/v1/machines/:id", (c) => {
    const machine = store.machines.get(c.req.param("id"));
    if (!machine) return c.json({ error: "Machine not found" }, 404);
    return c.json({ machine });
  });

  return app;
}
