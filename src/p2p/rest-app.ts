import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { errorMessage } from "../shared/errors.ts";
import { ROTATED_KEY_MESSAGE } from "./auth.ts";
import { accountRoutes } from "./routes/account.ts";
import type { RestDeps } from "./routes/deps.ts";
import { machineRoutes } from "./routes/machines.ts";
import { pairingRoutes } from "./routes/pairing.ts";
import { sessionRoutes } from "./routes/sessions.ts";
import { webAppRoutes } from "./routes/web-app.ts";

/** Hono app of the P2P port: open /health and web app, bearer-token /v1 and /v2. */
export function createRestApp(deps: RestDeps) {
  const app = new Hono();

  app.get("/health", (c) => c.json({ status: "ok", mode: "p2p" }));

  for (const prefix of ["/v1/*", "/v2/*"]) {
    app.use(prefix, async (c, next) => {
      const token = deps.tokens.bearerOf(c.req.header("authorization"));
      if (token === undefined || !deps.tokens.matches(token)) {
        // An old QR's key is told apart from a wrong one, so the app can say "out of date".
        if (deps.tokens.wasRotated(token)) return c.json({ error: `Invalid bearer token: ${ROTATED_KEY_MESSAGE}`, code: "key-rotated" }, 401);
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
  app.route("/", pairingRoutes(deps));
  app.route("/", accountRoutes());
  app.route("/", webAppRoutes(undefined, deps.ownOrigins));

  app.notFound((c) => c.json({ error: `Not found: ${c.req.method} ${c.req.path}` }, 404));
  app.onError((error, c) => {
    deps.log.error("rest handler failed", { path: c.req.path, error: errorMessage(error) });
    return c.json({ error: "Internal error" }, 500);
  });
  return app;
}
