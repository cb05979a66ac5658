import { MetadataAck, type ClientSocket } from "../../protocol/events.ts";
import type { Cipher } from "../../crypto/session-cipher.ts";

const ACK_TIMEOUT_MS = 10_000;
/** Races with the agent's own writes (a summary, its conversation id) are retried this often. */
const MAX_ATTEMPTS = 5;

export type Stored = { metadata: string; version: number };

/**
 * Changes a session's metadata as the phone's user asked (a name, archived): the
 * decrypted object as stored — fields this app does not know are kept — changed,
 * re-encrypted with the session's key and written with `update-metadata` and the version
 * it was read at (PROTOCOL.md §3.2). A version mismatch means the agent wrote meanwhile:
 * the change is applied again to its value, never over it.
 */
export async function writeSessionMetadata(input: {
  socket: ClientSocket;
  sid: string;
  cipher: Cipher;
  current: Stored;
  change: (metadata: Record<string, unknown>) => Record<string, unknown>;
}): Promise<Stored> {
  let current = input.current;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const plain = input.cipher.decrypt(current.metadata);
    if (!plain || typeof plain !== "object" || Array.isArray(plain)) throw new Error("this phone cannot read this session's details");
    const metadata = input.cipher.encrypt(input.change({ ...(plain as Record<string, unknown>) }));
    const raw = await input.socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck("update-metadata", { sid: input.sid, metadata, expectedVersion: current.version });
    const answer = MetadataAck.safeParse(raw);
    if (!answer.success) throw new Error("the daemon gave an answer this app does not understand");
    if (answer.data.result === "error") throw new Error(answer.data.message ?? "the daemon refused the change");
    if (answer.data.result === "success") return { metadata, version: answer.data.version };
    current = { metadata: answer.data.metadata, version: answer.data.version };
  }
  throw new Error("the session's details kept changing; try again");
}
