import type { Cipher } from "../crypto/session-cipher.ts";
import { AgentStateAck, MetadataAck, type ClientSocket } from "../protocol/events.ts";

/** Either answer, read by the field this value is stored under. */
type Answer = { result: "success" | "version-mismatch"; version: number } & Partial<Record<"metadata" | "agentState", string | null>>;

const ACK_TIMEOUT_MS = 5_000;
const MAX_ATTEMPTS = 20;

/**
 * A session's metadata or agent state as the server holds it: encrypted, versioned,
 * written with optimistic concurrency. Updates are serialised; a version mismatch
 * adopts the server's value and applies the change again, so an answer written by
 * someone else (the phone) is never overwritten blindly.
 */
export function createVersionedValue<T>(input: {
  socket: ClientSocket;
  sid: string;
  cipher: Cipher;
  event: "update-metadata" | "update-state";
  field: "metadata" | "agentState";
  initial: T;
  initialVersion: number;
  parse: (value: unknown) => T;
}) {
  let value = input.initial;
  let version = input.initialVersion;
  let chain: Promise<void> = Promise.resolve();

  const adopt = (answer: Answer) => {
    version = answer.version;
    const encrypted = answer[input.field];
    if (typeof encrypted === "string") value = input.parse(input.cipher.decrypt(encrypted));
  };

  const attempt = async (change: (current: T) => T): Promise<boolean> => {
    const next = change(value);
    const encrypted = input.cipher.encrypt(next);
    const sent =
      input.event === "update-metadata"
        ? input.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("update-metadata", { sid: input.sid, metadata: encrypted, expectedVersion: version })
        : input.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("update-state", { sid: input.sid, agentState: encrypted, expectedVersion: version });
    const answer = (input.event === "update-metadata" ? MetadataAck : AgentStateAck).safeParse(await sent.catch(() => null));
    if (!answer.success || answer.data.result === "error") return false;
    adopt(answer.data);
    return answer.data.result === "success";
  };

  return {
    get: () => value,
    /** Applies `change` to the current value and stores it; resolves once stored (or given up). */
    update(change: (current: T) => T): Promise<void> {
      chain = chain.then(async () => {
        for (let tries = 0; tries < MAX_ATTEMPTS; tries++) {
          if (await attempt(change)) return;
          // Disconnected or refused: wait for the socket instead of spinning.
          if (!input.socket.connected) await new Promise((resolve) => input.socket.once("connect", () => resolve(null)));
        }
      });
      return chain;
    },
  };
}

export type VersionedValue<T> = ReturnType<typeof createVersionedValue<T>>;
