import type { Server as Engine, WebSocketData } from "@socket.io/bun-engine";
import type { Server as SocketServer } from "socket.io";
import type { Log } from "../shared/log.ts";
import { createRefusalSummary } from "./refusal-summary.ts";

type Bounds = { pendingSessions: number; pendingPerAddress: number };
type Refusal = "address" | "total";

/** Counts of something held per key and in all, each under its own cap. */
function createSlots({ pendingSessions, pendingPerAddress }: Bounds) {
  const byKey = new Map<string, number>();
  let held = 0;
  return {
    /** A release function for one more slot of `key`, or why there is none. */
    take(key: string): (() => void) | Refusal {
      const mine = byKey.get(key) ?? 0;
      if (mine >= pendingPerAddress) return "address";
      if (held >= pendingSessions) return "total";
      held++;
      byKey.set(key, mine + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        held--;
        const left = (byKey.get(key) ?? 1) - 1;
        if (left === 0) byKey.delete(key);
        else byKey.set(key, left);
      };
    },
  };
}

// Built once: a refused handshake costs a Response and nothing else.
const REFUSED: Record<Refusal, { status: number; body: string }> = {
  address: { status: 429, body: JSON.stringify({ error: "Too many connections waiting to authenticate from this address" }) },
  total: { status: 503, body: JSON.stringify({ error: "Too many connections waiting to authenticate" }) },
};

/**
 * Caps the engine.io sessions that have not authenticated yet, in all and per remote
 * address. A bare handshake (no `sid`) needs no token and makes engine.io allocate a
 * session; past a cap it is refused here, before engine.io sees it. A session holds
 * its slot until its socket joins "/" with the token or it closes (socket.io's
 * `connectTimeout` closes it soon). bun-engine's `allowRequest` hook runs at the same
 * point but cannot learn whether a session came of it, so a slot could leak; this
 * wrapper sees the request through. Also gives each session its remote address, which
 * bun-engine leaves unset (`socket.handshake.address`).
 */
export function guardPendingSessions(engine: Engine, io: SocketServer, bounds: Bounds, log: Log) {
  const slots = createSlots(bounds);
  const refused = createRefusalSummary(log, "p2p handshake refused");
  const claims = new WeakMap<Request, { address: string; release: () => void }>();
  const pending = new WeakMap<object, () => void>();

  engine.on("connection", (conn, request) => {
    const claim = claims.get(request);
    if (!claim) return;
    claims.delete(request);
    Object.assign(conn, { remoteAddress: claim.address });
    pending.set(conn, claim.release);
    conn.once("close", claim.release);
  });
  io.on("connection", (socket) => pending.get(socket.conn)?.());

  return {
    /** Answers one request under the Socket.IO path. */
    async handle(request: Request, server: Bun.Server<WebSocketData>, query: URLSearchParams): Promise<Response> {
      // engine.io takes an empty sid for none: so must we, or `sid=` would skip the cap.
      if (query.get("sid")) return engine.handleRequest(request, server);
      const address = server.requestIP(request)?.address ?? "unknown";
      const slot = slots.take(address);
      if (typeof slot === "string") {
        refused.record(address);
        return new Response(REFUSED[slot].body, { status: REFUSED[slot].status, headers: { "content-type": "application/json", "retry-after": "5" } });
      }
      claims.set(request, { address, release: slot });
      try {
        return await engine.handleRequest(request, server);
      } finally {
        // No session came of it (a bad request): the slot goes back at once.
        if (claims.has(request)) {
          claims.delete(request);
          slot();
        }
      }
    },
    flush: () => refused.flush(),
  };
}
