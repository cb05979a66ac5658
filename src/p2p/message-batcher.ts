import type { AppendResult } from "../store/messages.ts";
import type { Store } from "../store/store.ts";
import type { Publisher, Update } from "./socket/routing.ts";

type Pending = {
  sessionId: string;
  content: string;
  localId: string | null;
  done: (outcome: Appended) => void;
  failed: (error: unknown) => void;
};

export type Appended = AppendResult & { update?: Update };

/**
 * Group commit for messages: every append that arrives before the event loop turns
 * is stored in one transaction (each in its own savepoint, so one bad append cannot
 * undo the others), and only after that commit are the callers told. Nothing is
 * acknowledged or broadcast before it is on disk.
 */
export function createMessageBatcher(store: Store, publisher: Publisher, { maxBatch = 512 } = {}) {
  let queue: Pending[] = [];
  let scheduled = false;

  const appendOne = (item: Pending): Appended => {
    const stored = store.messages.append(item.sessionId, item.content, item.localId);
    if (stored.result !== "stored") return stored;
    const { message } = stored;
    const update = publisher.prepare({
      t: "new-message",
      sid: item.sessionId,
      message: message.localId === null ? { ...message, localId: undefined } : message,
    });
    return { ...stored, update };
  };

  const flush = () => {
    scheduled = false;
    const batch = queue.splice(0, maxBatch);
    if (queue.length > 0) schedule();
    const outcomes: Array<{ ok: true; value: Appended } | { ok: false; error: unknown }> = [];
    try {
      store.transaction(() => {
        for (const item of batch) {
          try {
            outcomes.push({ ok: true, value: store.transaction(() => appendOne(item)) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // The commit itself failed: nothing of this batch is stored.
      for (const item of batch) item.failed(error);
      return;
    }
    batch.forEach((item, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) item.done(outcome.value);
      else item.failed(outcome.error);
    });
  };

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };

  return {
    append(sessionId: string, content: string, localId: string | null): Promise<Appended> {
      return new Promise((done, failed) => {
        queue.push({ sessionId, content, localId, done, failed });
        schedule();
      });
    },
    /** Writes whatever is queued now (shutdown). */
    drain: () => {
      while (queue.length > 0) flush();
    },
  };
}

export type MessageBatcher = ReturnType<typeof createMessageBatcher>;
