import { z } from "zod";
import { PermissionMode, type UserMessage } from "../../protocol/plaintext.ts";
import { MessageAck, type ClientSocket } from "../../protocol/events.ts";
import { randomId } from "./ids.ts";

export const Outgoing = z.object({
  localId: z.string(),
  sid: z.string(),
  text: z.string(),
  permissionMode: PermissionMode.optional(),
  createdAt: z.number(),
  /** Set when the daemon refused it for good (e.g. too large); kept so the text is not lost. */
  error: z.string().optional(),
});
export type Outgoing = z.infer<typeof Outgoing>;

const ACK_TIMEOUT_MS = 15_000;

/**
 * What the user typed and the daemon has not acknowledged yet. Kept in localStorage,
 * so neither a lost network nor a reloaded page loses it; sent in order, one at a time,
 * each with its `localId` so a retry after a lost ack is stored once (PROTOCOL.md §3.2).
 */
export function createOutbox(deps: {
  pairingId: string;
  socket: () => ClientSocket | null;
  encrypt: (sid: string, plaintext: UserMessage) => string | null;
  delivered: (entry: Outgoing, ack: { id: string; seq: number }) => void;
  changed: () => void;
}) {
  const storageKey = `remcli.outbox.${deps.pairingId}`;
  let queue: Outgoing[] = load(storageKey);
  let pumping = false;

  const persist = () => {
    localStorage.setItem(storageKey, JSON.stringify(queue));
    deps.changed();
  };

  const pump = async (): Promise<void> => {
    if (pumping) return;
    pumping = true;
    try {
      for (;;) {
        const socket = deps.socket();
        const next = queue.find((entry) => entry.error === undefined);
        if (!socket?.connected || !next) return;
        const plaintext: UserMessage = {
          role: "user",
          content: { type: "text", text: next.text },
          localKey: next.localId,
          meta: { sentFrom: "web", ...(next.permissionMode ? { permissionMode: next.permissionMode } : {}) },
        };
        const message = deps.encrypt(next.sid, plaintext);
        if (message === null) return; // The session's key is not known yet: wait for a refresh.
        let answer: unknown;
        try {
          answer = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck("message", { sid: next.sid, message, localId: next.localId });
        } catch {
          return; // No ack (connection lost): the next connect pumps again with the same localId.
        }
        const ack = MessageAck.safeParse(answer);
        if (ack.success && ack.data.ok) {
          queue = queue.filter((entry) => entry.localId !== next.localId);
          persist();
          deps.delivered(next, ack.data);
        } else {
          next.error = ack.success && !ack.data.ok ? ack.data.error : "the daemon gave an answer this app does not understand";
          persist();
        }
      }
    } finally {
      pumping = false;
    }
  };

  return {
    enqueue(sid: string, text: string, permissionMode: Outgoing["permissionMode"]): void {
      queue.push({ localId: randomId(), sid, text, permissionMode, createdAt: Date.now() });
      persist();
      void pump();
    },
    pump: () => void pump(),
    pendingFor: (sid: string): readonly Outgoing[] => queue.filter((entry) => entry.sid === sid),
    retry(localId: string): void {
      const entry = queue.find((e) => e.localId === localId);
      if (entry) delete entry.error;
      persist();
      void pump();
    },
    discard(localId: string): void {
      queue = queue.filter((e) => e.localId !== localId);
      persist();
    },
  };
}

function load(key: string): Outgoing[] {
  try {
    const parsed = z.array(Outgoing).safeParse(JSON.parse(localStorage.getItem(key) ?? "[]"));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

export type Outbox = ReturnType<typeof createOutbox>;
