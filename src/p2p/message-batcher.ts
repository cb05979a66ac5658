import type { AppendResult, NewMessage } from "../store/messages.ts";
import type { Store } from "../store/store.ts";
import type { Update } from "../protocol/updates.ts";
import type { Publisher } from "./socket/routing.ts";

type Pending = NewMessage & {
  done: (outcome: Appended) => void;
  failed: (error: unknown) => void;
};

export type Appended = AppendResult & { update?: Update };

/**
 * Group commit for messages: every append that arrives before the event loop turns
 * is stored in one transaction, and only after that commit are the callers told.
 * Nothing is acknowledged or broadcast before it is on disk. Should a batch fail as a
 * whole, each of its messages is tried alone, so one bad append cannot sink the others.
 */
export function createMessageBatcher(store: Store, publisher: Publisher, { maxBatch = 512 } = {}) {
  let queue: Pending[] = [];
  let scheduled = false;

  /** Stores `batch` and numbers the updates of what was new, in the caller's transaction. */
  const write = (batch: Pending[]): Appended[] => {
    const outcomes: Appended[] = store.messages.appendAll(batch);
    const fresh = outcomes.flatMap((outcome, index) => (outcome.result === "stored" ? [index] : []));
    const updates = publisher.prepareAll(
      fresh.map((index) => {
        const { message } = outcomes[index] as Extract<AppendResult, { result: "stored" }>;
        const wire = message.localId === null ? { ...message, localId: undefined } : message;
        return { t: "new-message" as const, sid: batch[index]!.sessionId, message: wire };
      }),
    );
    fresh.forEach((index, n) => {
      outcomes[index] = { ...outcomes[index]!, update: updates[n] };
    });
    return outcomes;
  };

  const settle = (batch: Pending[]) => {
    try {
      const outcomes = store.transaction(() => write(batch));
      batch.forEach((item, index) => item.done(outcomes[index]!));
    } catch (error) {
      if (batch.length === 1) batch[0]!.failed(error);
      else for (const item of batch) settle([item]);
    }
  };

  const flush = () => {
    scheduled = false;
    const batch = queue.splice(0, maxBatch);
    if (queue.length > 0) schedule();
    settle(batch);
  };

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };

  return {
    append(message: NewMessage): Promise<Appended> {
      return new Promise((done, failed) => {
        queue.push({ ...message, done, failed });
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
