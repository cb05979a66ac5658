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
export function badRequest(c: Context, error: z.ZodError | string, part: "body" | "query" = "body") {
  const message =
    typeof error === "string" ? error : error.issues.map((i) => `${i.path.join(".") || part}: ${i.message}`).join("; ");
  return c.json({ error: message }, 400);
}

/** The JSON body checked by `schema`, or the 400 answer saying what is wrong with it. */
export async function parseBody<S extends z.ZodType>(
  c: Context,
  schema: S,
): Promise<{ ok: true; data: z.infer<S> } | { ok: false; response: Response }> {
  let json: unknown;
  try {
    json = await c.req.json();
  } catch {
    return { ok: false, response: badRequest(c, "body: not valid JSON") };
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, response: badRequest(c, parsed.error) };
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
