import { z } from "zod";
import { LIMITS } from "../protocol/limits.ts";
import { Server as Engine } from "@socket.io/bun-engine";
import { Server as SocketServer } from "socket.io";
import type { Log } from "../shared/log.ts";
import type { Store } from "../store/store.ts";
import { createTokenCheck } from "./auth.ts";
import { createRestApp } from "./rest-app.ts";
import { TRANSPORT_BOUNDS, type P2pLimits } from "./limits.ts";
import { coalesceWebSocketSends, drainWebSocket } from "./coalesced-sends.ts";
import { createMessageBatcher } from "./message-batcher.ts";
import { createCipherCache } from "./cipher-cache.ts";
import { createOriginPolicy } from "./origin.ts";
import { preflight, withCors } from "./cors.ts";
import { bindPort } from "./bind.ts";
import { createOwnerCheck } from "./owner-check.ts";
import { guardPendingSessions } from "./pending-sessions.ts";
import { createRefusalSummary } from "./refusal-summary.ts";
import { createPresence } from "./presence.ts";
import { attachSocketHandlers } from "./socket/connection.ts";
import type { IoServer } from "./socket/io.ts";
import { createRpcGate } from "./socket/rpc-gate.ts";
import { createRpcRegistry } from "./socket/rpc-registry.ts";
import { createPublisher } from "./socket/routing.ts";
import { announceSessionEnd } from "./socket/sessions.ts";
import { boundPollingQueues } from "./unsent-bound.ts";
import { createWrites } from "./writes.ts";

export type P2pServerOptions = {
  store: Store;
  log: Log;
  secret: Uint8Array;
  /** The daemon's control key: local processes prove with it that they own their session's RPC names. */
  controlKey: Uint8Array;
  /** Addresses to bind, tried in order while one's family is missing (bind.ts EVERYWHERE). */
  hostnames: readonly string[];
  /** The port to try first (the one a paired phone knows); 0 for any. */
  port: number;
  /** The user named the port: taken is an error, not a move. */
  explicitPort: boolean;
  limits: P2pLimits;
  /** Origins our pages may come from (p2p/reach.ts); the policy and the CSP read them. */
  ownOrigins: () => Set<string>;
};

const SOCKET_PATH = "/v1/updates";
/** Settings key: digests of the tokens `qr --rotate` replaced (auth.ts). */
const RETIRED_TOKENS = "retired_token_digests";

function retiredDigests(store: Store): string[] {
  try {
    const parsed = z.array(z.string()).safeParse(JSON.parse(store.settings.get(RETIRED_TOKENS) ?? "[]"));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

/** One Bun.serve: Socket.IO (bun engine) under /v1/updates, Hono for everything else. */
export function startP2pServer(options: P2pServerOptions) {
  const { store, log, limits } = options;
  const tokens = createTokenCheck(options.secret, retiredDigests(store));
  // Room for the largest payload an event may carry (a message, or RPC params) plus the
  // envelope; a larger frame closes that socket.
  const frameBytes = Math.max(limits.messageBytes, LIMITS.rpcParams, LIMITS.blobMax) + 64 * 1024;
  const unsentBytes = Math.max(TRANSPORT_BOUNDS.unsentBytes, 2 * frameBytes);
  coalesceWebSocketSends({ maxUnsentBytes: unsentBytes, handOverBytes: TRANSPORT_BOUNDS.handOverBytes });
  const engine = new Engine({ path: `${SOCKET_PATH}/`, maxHttpBufferSize: frameBytes });
  const io: IoServer = new SocketServer({ serveClient: false, connectTimeout: TRANSPORT_BOUNDS.joinTimeoutMs });
  io.bind(engine);
  const pending = guardPendingSessions(engine, io, TRANSPORT_BOUNDS, log);
  boundPollingQueues(engine, unsentBytes);

  const publisher = createPublisher(io, store.userSeq);
  const writes = createWrites(store, publisher);
  const batcher = createMessageBatcher(store, publisher);
  const rpc = createRpcRegistry({ timeoutMs: limits.rpcTimeoutMs });
  const ciphers = createCipherCache(store, options.secret);
  const refusedRpcs = createRefusalSummary(log, "rpc calls refused");
  const gate = createRpcGate({ store, ciphers, refused: refusedRpcs });
  const owners = createOwnerCheck(options.controlKey);
  let port = 0;
  const originAllowed = createOriginPolicy({ ownOrigins: options.ownOrigins });

  const presence = createPresence(store);
  const sockets = attachSocketHandlers(io, { store, log, tokens, owners, writes, batcher, publisher, presence, rpc, gate, ciphers, limits });
  const app = createRestApp({ store, log, tokens, writes, limits, ownOrigins: options.ownOrigins });
  const { websocket } = engine.handler();

  const { server, moved, hostname } = bindPort({
    hostnames: options.hostnames,
    preferred: options.port,
    explicit: options.explicitPort,
    log,
    serve: (host, candidate) =>
      Bun.serve({
        hostname: host,
        port: candidate,
        // Above the REST limit, so an oversize body gets the REST layer's JSON 413, not Bun's bare one.
        maxRequestBodySize: Math.max(limits.restBodyBytes * 2, frameBytes),
        // Frames wait in our queue (coalesced-sends.ts), which drops a reader that stops
        // reading; Bun's own limit is the backstop, closing rather than dropping frames
        // silently past its 16 MB default and keeping the socket.
        websocket: { ...websocket, drain: drainWebSocket, backpressureLimit: unsentBytes, closeOnBackpressureLimit: true },
        async fetch(request, bunServer) {
          // A web page elsewhere may send requests here; only our own origins pass, for REST and the WebSocket alike.
          const origin = request.headers.get("origin");
          if (!originAllowed(origin)) {
            return Response.json({ error: "Origin not allowed" }, { status: 403 });
          }
          const { pathname, searchParams } = new URL(request.url);
          if (pathname === SOCKET_PATH || pathname.startsWith(`${SOCKET_PATH}/`)) {
            return pending.handle(request, bunServer as Bun.Server<never>, searchParams);
          }
          return preflight(request, origin) ?? withCors(await app.fetch(request, bunServer), origin);
        },
      }) as Bun.Server<unknown>,
  });
  port = server.port ?? 0;
  log.info("p2p server listening", { hostname, port, movedFrom: moved?.from });

  return {
    port,
    /** The address it listens on. */
    hostname,
    /** The preferred port and who holds it, when it was taken and another was picked. */
    moved,
    io,
    rpc,
    writes,
    store,
    /**
     * A message the daemon itself adds to a session (already encrypted, as any client's),
     * e.g. why it ended; stored and sent like one from the session.
     */
    async appendSessionMessage(sessionId: string, ciphertext: string): Promise<boolean> {
      const outcome = await batcher.append({ sessionId, content: ciphertext, localId: null, digest: null });
      if (outcome.update) publisher.send(outcome.update, { session: sessionId });
      return outcome.result === "stored";
    },
    /** A session's process is gone: record it inactive and tell the phones. */
    endSession(sessionId: string) {
      announceSessionEnd({ presence, publisher }, sessionId, Date.now());
    },
    /** The session's agent is working, as its last alive ping said. */
    isThinking: (sessionId: string) => presence.thinking(sessionId),
    /** A new secret: the old token stops working and every connection is dropped. */
    rotateSecret(secret: Uint8Array) {
      tokens.rotate(secret);
      store.settings.set(RETIRED_TOKENS, JSON.stringify(tokens.retiredDigests()));
      ciphers.rotate(secret);
      io.disconnectSockets(true);
    },
    /** Forgets replay digests that can no longer be replayed (heartbeat). */
    pruneReplays() {
      const pruned = store.rpcSeen.prune(Date.now());
      if (pruned.evicted > 0) log.warn("oldest rpc replay digests dropped (row bound reached)", { evicted: pruned.evicted });
    },
    async close() {
      refusedRpcs.flush();
      batcher.drain();
      pending.flush();
      sockets.flush();
      // Close transports without a Socket.IO disconnect packet: clients then treat it as
      // a lost connection and reconnect by themselves to the next daemon on this port.
      engine.close();
      server.stop(true);
    },
  };
}

export type P2pServer = ReturnType<typeof startP2pServer>;
