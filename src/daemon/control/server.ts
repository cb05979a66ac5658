import { Hono, type Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { errorMessage, type ErrorCode } from "../../shared/errors.ts";
import type { Log } from "../../shared/log.ts";
import { fail, type Result } from "../../shared/result.ts";
import {
  CONTROL_BODY_LIMIT,
  routes,
  type RouteName,
  type RouteResponse,
  type Routes,
} from "../../protocol/control.ts";
import { createVerifier, headerFailure } from "./signing.ts";
import type { z } from "zod";

export type ControlHandlers = {
  [R in RouteName]: (
    request: z.infer<Routes[R]["request"]>,
  ) => Promise<Result<RouteResponse<R>>> | Result<RouteResponse<R>>;
};

const HTTP_STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  unauthorized: 401,
  bad_request: 400,
  not_found: 404,
  not_running: 503,
  already_running: 409,
  timeout: 504,
  spawn_failed: 500,
  conflict: 409,
  unavailable: 503,
  internal: 500,
};

function reply<T>(c: Context, result: Result<T>) {
  return c.json(result, result.ok ? 200 : HTTP_STATUS[result.error.code]);
}

function parseJson(text: string): unknown {
  if (text === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The control app. It answers only signed requests that come from a local program:
 * no browser Origin, and a Host that is exactly the loopback address we listen on
 * (a DNS-rebinding page would send its own host name).
 */
export function createControlApp(deps: {
  key: Uint8Array;
  handlers: ControlHandlers;
  log: Log;
  expectedHost: () => string;
}) {
  const verify = createVerifier(deps.key);
  const app = new Hono();

  app.use("*", async (c, next) => {
    const refuse = (why: string) => {
      deps.log.warn("control request refused", { path: c.req.path, why });
      return reply(c, fail("unauthorized", `control request refused: ${why}`));
    };
    if (c.req.header("origin") !== undefined) return refuse("browser Origin header");
    if (c.req.header("host") !== deps.expectedHost()) return refuse("unexpected Host");
    if (c.req.method !== "POST") return refuse("only POST is served");
    // Before reading the body: an unsigned or stale request costs its headers only.
    const early = headerFailure((name) => c.req.header(name));
    if (early) return refuse(early);
    // The server caps the body (serveControl), so this read is bounded.
    const body = await c.req.text();
    const failure = verify({
      method: c.req.method,
      path: c.req.path,
      body,
      header: (name) => c.req.header(name),
    });
    if (failure) return refuse(failure);
    await next();
  });

  for (const name of Object.keys(routes) as RouteName[]) {
    const route = routes[name];
    app.post(route.path, async (c) => {
      const parsed = route.request.safeParse(parseJson(await c.req.text()));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return reply(c, fail("bad_request", `${issue?.path.join(".") || "body"}: ${issue?.message}`));
      }
      try {
        const handler = deps.handlers[name] as (request: unknown) => Promise<Result<unknown>>;
        return reply(c, await handler(parsed.data));
      } catch (error) {
        deps.log.error("control handler failed", { route: route.path, error: errorMessage(error) });
        return reply(c, fail("internal", errorMessage(error)));
      }
    });
  }

  app.notFound((c) => reply(c, fail("not_found", `no control route ${c.req.path}`)));
  return app;
}

/** Serves the control app on 127.0.0.1; `port` 0 picks a free one. */
export function serveControl(
  deps: Omit<Parameters<typeof createControlApp>[0], "expectedHost">,
  port = 0,
) {
  let host = "";
  const app = createControlApp({ ...deps, expectedHost: () => host });
  // The cap is Bun's, enforced while the body streams in (chunked too): a larger body is
  // answered 413 and never buffered, whoever sent it.
  const server = Bun.serve({ hostname: "127.0.0.1", port, maxRequestBodySize: CONTROL_BODY_LIMIT, fetch: app.fetch });
  host = `127.0.0.1:${server.port}`;
  return server;
}
