import type { z } from "zod";
import { MachinesPage, MessagesPage, NEXT_CURSOR_HEADER, SessionsPage } from "../../protocol/paging.ts";
import type { MachineWire, SessionWire } from "../../protocol/updates.ts";

/** The sessions the app lists: the most recently changed, as many as the reference shows. */
const SESSIONS_SHOWN = 150;
/** Machine pages followed at most; the daemon keeps a few dozen machines, each page holds one or more. */
const MACHINE_PAGES = 64;

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
  /** The parsed answer, and the next page's cursor when the daemon says there is one in a header. */
  const fetchPage = async <T extends z.ZodType>(path: string, schema: T): Promise<{ data: z.infer<T>; next: string | null }> => {
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
    return { data: parsed.data, next: response.headers.get(NEXT_CURSOR_HEADER) };
  };
  const get = async <T extends z.ZodType>(path: string, schema: T): Promise<z.infer<T>> =>
    (await fetchPage(path, schema)).data;
  const withCursor = (path: string, cursor: string | null) =>
    cursor === null ? path : `${path}?${new URLSearchParams({ cursor })}`;

  return {
    /** DELETE /v1/sessions/:id; a session already gone counts as deleted. */
    async deleteSession(sid: string): Promise<void> {
      let response: Response;
      try {
        response = await fetch(`${endpoint}/v1/sessions/${encodeURIComponent(sid)}`, { method: "DELETE", headers: { authorization: `Bearer ${token}` } });
      } catch (error) {
        throw new RestError("unreachable", error instanceof Error ? error.message : String(error));
      }
      if (response.status === 401) throw new RestError("unauthorized", "the daemon refused this pairing's token");
      if (!response.ok && response.status !== 404) throw new RestError("bad-response", `HTTP ${response.status} deleting the session`);
    },
    /** Now, by the daemon's clock as its last answer told it. */
    daemonNow: () => Date.now() + clockOffsetMs,
    /** Every machine: pages are bounded in bytes, and one cut short names the next in a header. */
    async machines(): Promise<MachineWire[]> {
      const all: MachineWire[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < MACHINE_PAGES; pages++) {
        const page: { data: MachineWire[]; next: string | null } = await fetchPage(withCursor("/v1/machines", cursor), MachinesPage);
        all.push(...page.data);
        cursor = page.next;
        if (cursor === null) break;
      }
      return all;
    },
    /** The most recently changed sessions, following `hasMore` over pages cut short by bytes. */
    async sessions(): Promise<SessionWire[]> {
      const all: SessionWire[] = [];
      let cursor: string | null = null;
      do {
        const page: SessionsPage = await get(withCursor("/v1/sessions", cursor), SessionsPage);
        all.push(...page.sessions);
        cursor = page.hasMore ? page.nextCursor : null;
      } while (cursor !== null && all.length < SESSIONS_SHOWN);
      return all.slice(0, SESSIONS_SHOWN);
    },
    /**
     * Newest first without a bound; oldest first with `after` (the daemon's paging contract).
     * A page holds at most `limit` messages and fewer when they are large: `hasMore` says
     * whether more follow in its direction, never the page's length.
     */
    messages: async (sid: string, page: { limit: number; before?: number; after?: number }): Promise<MessagesPage> => {
      const query = new URLSearchParams({ limit: String(page.limit) });
      if (page.before !== undefined) query.set("before", String(page.before));
      if (page.after !== undefined) query.set("after", String(page.after));
      return get(`/v1/sessions/${encodeURIComponent(sid)}/messages?${query}`, MessagesPage);
    },
  };
}

export type RestClient = ReturnType<typeof createRestClient>;
