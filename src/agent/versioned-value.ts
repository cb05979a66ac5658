import type { Socket } from "socket.io-client";
import { z } from "zod";
import type { Cipher } from "../crypto/session-cipher.ts";

const Answer = z.object({
  result: z.enum(["success", "version-mismatch", "error"]),
  version: z.number().int().optional(),
  message: z.string().optional(),
  metadata: z.string().nullish(),
  agentState: z.string().nullish(),
});

const ACK_TIMEOUT_MS = 5_000;
const MAX_ATTEMPTS = 20;

/**
 * A session's metadata or agent state as the server holds it: encrypted, versioned,
 * written with optimistic concurrency. Updates are serialised; a version mismatch
 * adopts the server's value and applies the change again, so an answer written by
 * someone else (the phone) is never overwritten blindly.
 */
export function createVersionedValue<T>(input: {
  socket: Socket;
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

  const adopt = (answer: z.infer<typeof Answer>) => {
    if (answer.version !== undefined) version = answer.version;
    const encrypted = answer[input.field];
    if (typeof encrypted === "string") value = input.parse(input.cipher.decrypt(encrypted));
  };

  const attempt = async (change: (current: T) => T): Promise<boolean> => {
    const next = change(value);
    const raw = await input.socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck(input.event, { sid: input.sid, [input.field]: input.cipher.encrypt(next), expectedVersion: version })
      .catch(() => null);
    const answer = Answer.safeParse(raw);
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
