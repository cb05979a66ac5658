import { Hono } from "hono";
import { CreateMachineBody } from "../../protocol/rest.ts";
import type { RestDeps } from "./deps.ts";
import { parseBody } from "./input.ts";

/** /v1/machines: get-or-create, list (a bare array, as the app expects), one. */
export function machineRoutes({ store, writes }: RestDeps) {
  const app = new Hono();

  app.post("/v1/machines", async (c) => {
    const body = await parseBody(c, CreateMachineBody);
    if (!body.ok) return body.response;
    const { machine } = writes.createMachine({
      id: body.data.id,
      metadata: body.data.metadata,
      daemonState: body.data.daemonState ?? null,
      dataEncryptionKey: body.data.dataEncryptionKey ?? null,
    });
    return c.json({ machine });
  });

  app.get("/v1/machines", (c) => c.json(store.machines.all()));

  app.get("/v1/machines/:id", (c) => {
    const machine = store.machines.get(c.req.param("id"));
    if (!machine) return c.json({ error: "Machine not found" }, 404);
    return c.json({ machine });
  });

  return app;
}
