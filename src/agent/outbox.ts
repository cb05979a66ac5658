import type { ClientSocket } from "../protocol/events.ts";
import { within } from "../shared/within.ts";

type Outgoing = { localId: string; message: string };

const ACK_TIMEOUT_MS = 10_000;

/**
 * Messages a session sends, in order and once: each waits in the queue until the
 * daemon acknowledges its commit. A lost connection pauses the queue instead of
 * dropping messages (the reference's "message will be lost"); a retry carries the same
 * localId, so a message that was stored before the connection dropped is not doubled.
 */
export function createOutbox(socket: ClientSocket, sid: string, onAcked: (seq: number) => void) {
  const queue: Outgoing[] = [];
  let sending = false;
  const drained: Array<() => void> = [];

  const pump = async () => {
    if (sending) return;
    sending = true;
    while (queue.length > 0 && socket.connected) {
      const next = queue[0]!;
      const ack = await socket
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck("message", { sid, message: next.message, localId: next.localId })
        .catch(() => null);
      if (ack?.ok) {
        queue.shift();
        onAcked(ack.seq);
      } else if (ack && !ack.ok) {
        // Refused for good (e.g. too large): retrying cannot help, and must not block the rest.
        queue.shift();
      }
    }
    sending = false;
    if (queue.length === 0) for (const done of drained.splice(0)) done();
  };

  socket.on("connect", () => void pump());

  return {
    send(message: string) {
      queue.push({ localId: crypto.randomUUID(), message });
      void pump();
    },
    /** Resolves when everything queued is acknowledged, or after `timeoutMs`. */
    flush(timeoutMs: number): Promise<void> {
      if (queue.length === 0) return Promise.resolve();
      return within(new Promise<void>((done) => drained.push(done)), timeoutMs).then(() => {});
    },
    pending: () => queue.length,
  };
}
