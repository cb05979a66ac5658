import type { z } from "zod";
import { MachinesResponse, MessagesResponse, SessionsResponse } from "../../protocol/updates.ts";

/** Why a REST call failed, in the terms the screens explain to the user. */
export class RestError extends Error {
  override name = "RestError";
  constructor(
    readonly kind: "unauthorized" | "unreachable" | "forbidden" | "bad-response",
    message: string,
  ) {
    super(message);
  }
}

/** The daemon's REST routes the app reads (PROTOCOL.md §6), each answer parsed with its schema. */
export function createRestClient(endpoint: string, token: string) {
  // How far the daemon's clock is from ours, from its responses' Date header (whole
  // seconds, so +0.5 s on average): RPC params carry the daemon's time, which it checks.
  let clockOffsetMs = 0;
  const get = async <T extends z.ZodType>(path: string, schema: T): Promise<z.infer<T>> => {
    let response: Response;
    try {
      response = await fetch(`${endpoint}${path}`, { headers: { authorization: `Bearer ${token}` }, cache: "no-store" });
    } catch (error) {
      throw new RestError("unreachable", error instanceof Error ? error.message : String(error));
    }
    const date = Date.parse(response.headers.get("date") ?? "");
    if (Number.isFinite(date)) clockOffsetMs = date + 500 - Date.now();
    if (response.status === 401) throw new RestError("unauthorized", "the daemon refused this pairing's token");
    if (response.status === 403) throw new RestError("forbidden", "the daemon refused this page's origin");
    if (!response.ok) throw new RestError("bad-response", `HTTP ${response.status} for ${path}`);
    const parsed = schema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw new RestError("bad-response", `unexpected answer from ${path}`);
    return parsed.data;
  };

  return {
    /** Now, by the daemon's clock as its last answer told it. */
    daemonNow: () => Date.now() + clockOffsetMs,
    machines: () => get("/v1/machines", MachinesResponse),
    sessions: async () => (await get("/v1/sessions", SessionsResponse)).sessions,
    /** Newest first without a bound; oldest first with `after` (the daemon's paging contract). */
    messages: async (sid: string, page: { limit: number; before?: number; after?: number }) => {
      const query = new URLSearchParams({ limit: String(page.limit) });
      if (page.before !== undefined) query.set("before", String(page.before));
      if (page.after !== undefined) query.set("after", String(page.after));
      return (await get(`/v1/sessions/${encodeURIComponent(sid)}/messages?${query}`, MessagesResponse)).messages;
    },
  };
}

export type RestClient = ReturnType<typeof createRestClient>;
