import type { Socket } from "socket.io";
import { AccessKeyGetEvent, UsageReportEvent } from "../../protocol/client-events.ts";
import type { SocketDeps } from "./deps.ts";
import { okErrorAnswer, on } from "./handle.ts";

/** ping, usage-report and access-key-get. */
export function miscHandlers(socket: Socket, deps: SocketDeps): void {
  const { log, publisher } = deps;

  socket.on("ping", (...args: unknown[]) => {
    const ack = args.at(-1);
    if (typeof ack === "function") ack({});
  });

  on(socket, log, "usage-report", UsageReportEvent, ({ key, sessionId, tokens, cost }, ack) => {
    if (sessionId) publisher.ephemeral({ type: "usage", id: sessionId, key, timestamp: Date.now(), tokens, cost });
    ack?.({ ok: true });
  }, okErrorAnswer);

  // P2P mode has no per-session access keys: answer "none" rather than leave the caller waiting.
  on(socket, log, "access-key-get", AccessKeyGetEvent, (_payload, ack) => {
    ack?.({ ok: true, accessKey: null });
  }, okErrorAnswer);
}
