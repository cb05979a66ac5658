import { z } from "zod";
import { ImageAttachment, PermissionMode, type UserMessage } from "../../protocol/plaintext.ts";
import { MessageAck, type ClientSocket } from "../../protocol/events.ts";
import { randomId } from "./ids.ts";

export const Outgoing = z.object({
  localId: z.string(),
  sid: z.string(),
  text: z.string(),
  permissionMode: PermissionMode.optional(),
  /** Attached images (remcli extension, docs/protocol-extensions.md). */
  images: z.array(ImageAttachment).optional(),
  /** The model picked for this turn (`meta.model`). */
  model: z.string().optional(),
  createdAt: z.number(),
  /** Set when it failed for good (refused, unreadable session, no answer); kept so the text is not lost. */
  error: z.string().optional(),
});
export type Outgoing = z.infer<typeof Outgoing>;

/** What the link can do with a message for a session right now. */
export type Sealed =
  | { kind: "sealed"; message: string }
  /** Not yet (the session's key is not known before the first refresh): try again later. */
  | { kind: "wait" }
  /** Never: the reason is shown instead of "Sending…". */
  | { kind: "fail"; reason: string };

const ACK_TIMEOUT_MS = 15_000;
/** Connected, sent, and no answer this many times: the daemon is not taking it, say so. */
const MAX_UNANSWERED = 3;

/**
 * What the user typed and the daemon has not acknowledged yet. Kept in localStorage,
 * so neither a lost network nor a reloaded page loses it. Each session has its own line:
 * messages to one session go in order, one at a time, each with its `localId` so a retry
 * after a lost ack is stored once (PROTOCOL.md §3.2), and a message stuck or failed in one
 * session never holds back another's.
 */
export function createOutbox(deps: {
  pairingId: string;
  socket: () => ClientSocket | null;
  seal: (sid: string, plaintext: UserMessage) => Sealed;
  delivered: (entry: Outgoing, ack: { id: string; seq: number }) => void;
  changed: () => void;
}) {
  const storageKey = `remcli.outbox.${deps.pairingId}`;
  let queue: Outgoing[] = load(storageKey);
  const pumping = new Set<string>();
  const unanswered = new Map<string, number>();

  const persist = () => {
    try {
      localStorage.setItem(storageKey, JSON.stringify(queue));
    } catch {
      // Over the storage quota (images): the queue still holds it; only a reload would lose it.
    }
    deps.changed();
  };
  const fail = (entry: Outgoing, reason: string) => {
    const current = queue.find((e) => e.localId === entry.localId);
    if (current) current.error = reason;
    persist();
  };

  /** Sends one session's messages in order; returns when its line is empty, failed at its head, or must wait. */
  const pumpSession = async (sid: string): Promise<void> => {
    if (pumping.has(sid)) return;
    pumping.add(sid);
    try {
      for (;;) {
        const socket = deps.socket();
        const next = queue.find((entry) => entry.sid === sid && entry.error === undefined);
        if (!socket?.connected || !next) return;
        const sealed = deps.seal(sid, {
          role: "user",
          content: { type: "text", text: next.text, ...(next.images?.length ? { images: next.images } : {}) },
          localKey: next.localId,
          meta: { sentFrom: "web", ...(next.permissionMode ? { permissionMode: next.permissionMode } : {}), ...(next.model ? { model: next.model } : {}) },
        });
        if (sealed.kind === "wait") return;
        if (sealed.kind === "fail") {
          // Later messages to this session would fail the same way: say so on each.
          for (const entry of queue.filter((e) => e.sid === sid && e.error === undefined)) entry.error = sealed.reason;
          persist();
          return;
        }
        let answer: unknown;
        try {
          answer = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck("message", { sid, message: sealed.message, localId: next.localId });
        } catch {
          // No ack. Lost connection: the next connect pumps again with the same localId.
          if (!socket.connected) return;
          const tries = (unanswered.get(next.localId) ?? 0) + 1;
          unanswered.set(next.localId, tries);
          if (tries >= MAX_UNANSWERED) fail(next, `the daemon did not confirm it after ${tries} tries`);
          continue;
        }
        unanswered.delete(next.localId);
        const ack = MessageAck.safeParse(answer);
        if (ack.success && ack.data.ok) {
          // Delivered, even when cancelled meanwhile (it left before the cancel): show it as sent.
          queue = queue.filter((entry) => entry.localId !== next.localId);
          persist();
          deps.delivered(next, ack.data);
        } else {
          fail(next, ack.success && !ack.data.ok ? ack.data.error : "the daemon gave an answer this app does not understand");
        }
      }
    } finally {
      pumping.delete(sid);
    }
  };

  const pump = () => {
    for (const sid of new Set(queue.filter((e) => e.error === undefined).map((e) => e.sid))) void pumpSession(sid);
  };

  return {
    enqueue(sid: string, text: string, permissionMode: Outgoing["permissionMode"], images: ImageAttachment[] = [], model?: string): void {
      queue.push({ localId: randomId(), sid, text, permissionMode, ...(images.length ? { images } : {}), ...(model ? { model } : {}), createdAt: Date.now() });
      persist();
      void pumpSession(sid);
    },
    pump,
    pendingFor: (sid: string): readonly Outgoing[] => queue.filter((entry) => entry.sid === sid),
    retry(localId: string): void {
      const entry = queue.find((e) => e.localId === localId);
      if (!entry) return;
      delete entry.error;
      unanswered.delete(localId);
      persist();
      void pumpSession(entry.sid);
    },
    /** Cancels a queued message or drops a failed one; the next in its session goes on. */
    discard(localId: string): void {
      queue = queue.filter((e) => e.localId !== localId);
      unanswered.delete(localId);
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
