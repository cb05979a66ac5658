import { errorMessage } from "../../shared/errors.ts";
import { envelopeOf, fail, type Result } from "../../shared/result.ts";
import { routes, type RouteName, type RouteRequest, type RouteResponse } from "../../protocol/control.ts";
import { signRequest } from "./signing.ts";

export type ControlClient = {
  call<R extends RouteName>(
    route: R,
    body: RouteRequest<R>,
    options?: { timeoutMs?: number },
  ): Promise<Result<RouteResponse<R>>>;
};

/**
 * A typed client for the control API. Expected failures, including "nothing listens
 * there", come back as `{ ok: false, error }` values; it never throws.
 */
export function createControlClient({ port, key }: { port: number; key: Uint8Array }): ControlClient {
  return {
    async call(route, body, { timeoutMs = 5_000 } = {}) {
      const { path, response } = routes[route];
      const text = JSON.stringify(body);
      const headers = {
        "content-type": "application/json",
        ...signRequest(key, { method: "POST", path, body: text }),
      };
      let reply: Response;
      try {
        reply = await fetch(`http://127.0.0.1:${port}${path}`, {
          method: "POST",
          headers,
          body: text,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const name = (error as Error).name;
        if (name === "TimeoutError") return fail("timeout", `daemon did not answer ${path} within ${timeoutMs} ms`);
        return fail("not_running", `daemon is not reachable on port ${port}: ${errorMessage(error)}`);
      }
      const parsed = envelopeOf(response).safeParse(await reply.json().catch(() => undefined));
      if (!parsed.success) return fail("internal", `daemon sent an unexpected reply to ${path} (HTTP ${reply.status})`);
      return parsed.data as Result<RouteResponse<typeof route>>;
    },
  };
}
