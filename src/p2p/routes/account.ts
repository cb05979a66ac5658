import { Hono } from "hono";

/**
 * The routes the reference app calls at start-up that have no meaning without an
 * account server (PROTOCOL.md §6): answered with the reference's fixed shapes.
 */
export function accountRoutes() {
  const app = new Hono();

  app.get("/v1/account/profile", (c) =>
    c.json({ id: "p2p-local", timestamp: Date.now(), firstName: null, lastName: null, avatar: null, github: null }),
  );
  app.get("/v1/account/settings", (c) => c.json({ settings: null, settingsVersion: 0 }));
  app.post("/v1/account/settings", (c) => c.json({ success: true }));

  app.get("/v1/kv", (c) => c.json({ items: [] }));
  app.get("/v1/kv/:key", (c) => c.json({ error: "Key not found" }, 404));
  app.post("/v1/kv/bulk", (c) => c.json({ values: [] }));
  app.post("/v1/kv", (c) => c.json({ success: true, results: [] }));

  app.get("/v1/artifacts", (c) => c.json([]));
  app.get("/v1/artifacts/:id", (c) => c.json({ error: "Artifact not found" }, 404));
  app.post("/v1/artifacts", (c) => c.json({ error: "Artifacts are not supported in P2P mode" }, 501));
  app.post("/v1/artifacts/:id", (c) => c.json({ error: "Artifacts are not supported in P2P mode" }, 501));
  app.delete("/v1/artifacts/:id", (c) => c.json({ error: "Artifacts are not supported in P2P mode" }, 501));

  app.post("/v1/voice/token", (c) => c.json({ error: "Voice is not supported in P2P mode" }, 400));
  return app;
}
