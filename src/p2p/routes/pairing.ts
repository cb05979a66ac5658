import { Hono } from "hono";
import type { RestDeps } from "./deps.ts";

/**
 * `GET /v1/pairing/check` (remcli extension): a cheap authenticated probe, so the app can
 * check a scanned key before it replaces a working pairing. Reaching the handler means the
 * token is valid; an old QR's token is refused by the auth layer with `code: "key-rotated"`.
 */
export function pairingRoutes(deps: RestDeps) {
  const app = new Hono();
  app.get("/v1/pairing/check", (c) => c.json({ ok: true, machineId: deps.store.settings.get("machine_id") }));
  return app;
}
