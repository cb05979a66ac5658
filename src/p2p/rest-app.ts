import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { z } from "zod";
import { errorMessage } from "../shared/errors.ts";
import type { Log } from "../shared/log.ts";
import type { Store } from "../store/store.ts";
import type { TokenCheck } from "./auth.ts";
import type { P2pLimits } from "./limits.ts";
import { accountRoutes } from "./routes/account.ts";
import { machineRoutes } from "./routes/machines.ts";
import { sessionRoutes } from "./routes/sessions.ts";
import { webAppRoutes } from "./routes/web-app.ts";
import type { Writes } from "./writes.ts";

export type RestDeps = { store: Store; log: Log; tokens: TokenCheck; writes: Writes; limits: P2pLimits };

/** A client mistake, answered as PROTOCOL.md answers errors: a status and `{ error }`. */
export function badRequest(c: Context, error: z.ZodError | string) {
  const message = typeof error === "string" ? error : error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
  return c.json({ error: message }, 400);
}

export async function readJson(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    return undefined;
  }
}

/** Hono app of the P2P port: open /health and web app, bearer-token /v1 and /v2. */
export function createRestApp(deps: RestDeps) {
  const app = new Hono();

  app.get("/health", (c) => c.json({ status: "ok", mode: "p2p" }));

  for (const prefix of ["/v1/*", "/v2/*"]) {
    app.use(prefix, async (c, next) => {
      if (!deps.tokens.fromAuthorization(c.req.header("authorization"))) {
        return c.json({ error: "Invalid or missing bearer token" }, 401);
      }
      await next();
    });
    app.use(
      prefix,
      bodyLimit({
        maxSize: deps.limits.restBodyBytes,
        onError: (c) => c.json({ error: `Body larger than ${deps.limits.restBodyBytes} bytes` }, 413),
      }),
    );
  }

  app.route("/", sessionRoutes(deps));
  app.route("/", machineRoutes(deps));
  app.route("/", accountRoutes());
  app.route("/", webAppRoutes());

  app.notFound((c) => c.json({ error: `Not found: ${c.req.method} ${c.req.path}` }, 404));
  app.onError((error, c) => {
    deps.log.error("rest handler failed", { path: c.req.path, error: errorMessage(error) });
    return c.json({ error: "Internal error" }, 500);
  });
  return app;
}
