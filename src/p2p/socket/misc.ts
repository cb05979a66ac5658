import type { SocketDeps } from "./deps.ts";
import type { IoSocket } from "./io.ts";
import { okErrorAnswer, on } from "./handle.ts";

/** ping, usage-report and access-key-get. */
export function miscHandlers(socket: IoSocket, deps: SocketDeps): void {
  const { log, publisher } = deps;

  // Only an ack, no payload; whatever a client puts before it is ignored.
  socket.on("ping", (...args: unknown[]) => {
    const ack = args.at(-1);
    if (typeof ack === "function") ack({});
  });

  on(socket, log, "usage-report", ({ key, sessionId, tokens, cost }, ack) => {
    if (sessionId) publisher.ephemeral({ type: "usage", id: sessionId, key, timestamp: Date.now(), tokens, cost });
    ack?.({ ok: true });
  }, okErrorAnswer);

  // P2P mode has no per-session access keys: answer "none" rather than leave the caller waiting.
  on(socket, log, "access-key-get", (_payload, ack) => {
    ack?.({ ok: true, accessKey: null });
  }, okErrorAnswer);
}
