import type { SocketDeps } from "./deps.ts";
import { ownedScope, type IoSocket } from "./io.ts";
import { ciphertextDigest } from "../../crypto/native.ts";
import { okErrorAnswer, on, resultErrorAnswer } from "./handle.ts";


/** Events about one session: its messages, metadata, agent state and presence. */
export function sessionHandlers(socket: IoSocket, deps: SocketDeps): void {
  const { log, writes, batcher, publisher, presence, limits, ciphers } = deps;

  on(socket, log, "message", async ({ sid, message, localId }, ack) => {
    if (message.length > limits.messageBytes) {
      ack?.(okErrorAnswer(`message is larger than ${limits.messageBytes} bytes`));
      return;
    }
    // A message from anyone but the session's own process that authenticates under the
    // session's key may reach its agent: such a ciphertext is stored once per session, so a
    // sniffed prompt cannot be run again. What does not authenticate reaches no agent and
    // stays the opaque blob it is (load generators send the same bytes again and again).
    const replayable = ownedScope(socket) !== sid && ciphers.opensUnderDataKey(sid, message);
    const digest = replayable ? ciphertextDigest(message) : null;
    const outcome = await batcher.append({ sessionId: sid, content: message, localId: localId ?? null, digest });
    if (outcome.result === "unknown-session") {
      ack?.(okErrorAnswer(`unknown session ${sid}`));
      return;
    }
    if (outcome.result === "replayed") {
      ack?.(okErrorAnswer(`this ciphertext is already stored in the session (seq ${outcome.seq}); a replayed message is refused`));
      return;
    }
    if (outcome.update) publisher.send(outcome.update, { session: sid }, socket);
    const { id, seq } = outcome.message;
    ack?.({ ok: true, id, seq, localId: outcome.message.localId });
  }, okErrorAnswer);

  on(socket, log, "update-metadata", ({ sid, metadata, expectedVersion }, ack) => {
    const written = writes.updateSessionMetadata(sid, metadata, expectedVersion, socket);
    if (written.result === "not-found") return ack?.(resultErrorAnswer(`unknown session ${sid}`));
    ack?.({ result: written.result, version: written.version, metadata: written.value });
  }, resultErrorAnswer);

  on(socket, log, "update-state", ({ sid, agentState, expectedVersion }, ack) => {
    const written = writes.updateAgentState(sid, agentState, expectedVersion, socket);
    if (written.result === "not-found") return ack?.(resultErrorAnswer(`unknown session ${sid}`));
    ack?.({ result: written.result, version: written.version, agentState: written.value });
  }, resultErrorAnswer);

  // The reference has no ack for these; a client that passes one still gets an answer.
  on(socket, log, "session-alive", ({ sid, time, thinking }, ack) => {
    const at = Math.min(time, Date.now());
    if (!presence.session(sid, true, at, thinking ?? false)) return ack?.(okErrorAnswer(`unknown session ${sid}`));
    publisher.ephemeral({ type: "activity", id: sid, active: true, activeAt: at, thinking: thinking ?? false });
    ack?.({ ok: true });
  }, okErrorAnswer);

  on(socket, log, "session-end", ({ sid, time }, ack) => {
    if (!announceSessionEnd(deps, sid, Math.min(time, Date.now()))) return ack?.(okErrorAnswer(`unknown session ${sid}`));
    ack?.({ ok: true });
  }, okErrorAnswer);
}

/**
 * A session is no longer active: recorded, and told to the phones. Its own `session-end`
 * and the daemon seeing its process gone both end here. False for an unknown session.
 */
export function announceSessionEnd(
  { presence, publisher }: Pick<SocketDeps, "presence" | "publisher">,
  sid: string,
  at: number,
): boolean {
  if (!presence.session(sid, false, at)) return false;
  publisher.ephemeral({ type: "activity", id: sid, active: false, activeAt: at, thinking: false });
  return true;
}
