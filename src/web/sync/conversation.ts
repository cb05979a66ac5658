import type { StoredMessage } from "../../protocol/updates.ts";
import type { RestClient } from "./rest.ts";
import { chatMessage, type ChatMessage } from "./views.ts";
import type { Cipher } from "../../crypto/session-cipher.ts";

/** Messages per page: enough to fill a phone screen twice, small enough to decrypt at once. */
export const PAGE_SIZE = 50;

/**
 * One session's conversation as far as this phone has loaded it: the latest page
 * first, older pages on demand, and everything newer caught up by seq. Messages are
 * keyed by their per-session seq, so a message seen twice (update + catch-up) is kept once,
 * and a gap in seqs triggers a catch-up instead of waiting for the next message.
 */
export function createConversation(deps: {
  sid: string;
  rest: () => RestClient;
  cipher: () => Cipher;
  changed: () => void;
}) {
  const bySeq = new Map<number, ChatMessage>();
  let ordered: ChatMessage[] = [];
  /** Every seq up to here has been fetched or received. */
  let caughtUpTo = 0;
  let catchingUp: Promise<void> | null = null;
  let catchUpAgain = false;

  const state = {
    loaded: false,
    loadingOlder: false,
    hasOlder: false,
    error: null as string | null,
    get messages(): readonly ChatMessage[] {
      return ordered;
    },
  };

  const add = (messages: ChatMessage[]): void => {
    const last = ordered.at(-1)?.seq ?? 0;
    const fresh = [...new Map(messages.filter((m) => !bySeq.has(m.seq)).map((m) => [m.seq, m] as const)).values()];
    if (fresh.length === 0) return;
    for (const message of fresh) bySeq.set(message.seq, message);
    // New messages usually arrive after the last one: append without re-sorting everything.
    ordered = fresh.every((m) => m.seq > last)
      ? [...ordered, ...fresh.sort((a, b) => a.seq - b.seq)]
      : [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    while (bySeq.has(caughtUpTo + 1)) caughtUpTo++;
    deps.changed();
  };

  const decode = (stored: StoredMessage[]) => stored.map((m) => chatMessage(m, deps.cipher()));

  const catchUp = (): Promise<void> => {
    if (!state.loaded) return Promise.resolve();
    if (catchingUp) {
      catchUpAgain = true;
      return catchingUp;
    }
    catchingUp = (async () => {
      try {
        do {
          catchUpAgain = false;
          for (;;) {
            const page = await deps.rest().messages(deps.sid, { after: caughtUpTo, limit: PAGE_SIZE });
            add(decode(page.messages));
            const top = page.messages.at(-1)?.seq;
            if (top !== undefined && top > caughtUpTo) caughtUpTo = top;
            // A page of large messages is short and still not the last: only hasMore says so.
            if (!page.hasMore || top === undefined) break;
          }
        } while (catchUpAgain);
      } finally {
        catchingUp = null;
      }
    })();
    return catchingUp;
  };

  let opening: Promise<void> | null = null;
  const loadLatest = async (): Promise<void> => {
    try {
      const page = await deps.rest().messages(deps.sid, { limit: PAGE_SIZE });
      state.hasOlder = page.hasMore;
      state.error = null;
      caughtUpTo = Math.max(caughtUpTo, page.messages[0]?.seq ?? 0);
      state.loaded = true;
      add(decode(page.messages));
      deps.changed();
    } catch (error) {
      state.error = error instanceof Error ? error.message : String(error);
      deps.changed();
    }
  };

  return {
    state,
    /** The latest page (once, even when asked twice at once); later calls only catch up. */
    open(): Promise<void> {
      if (state.loaded) return catchUp().catch(() => {});
      opening ??= loadLatest().finally(() => {
        opening = null;
      });
      return opening;
    },
    async loadOlder(): Promise<void> {
      const oldest = ordered[0]?.seq;
      if (!state.loaded || state.loadingOlder || !state.hasOlder || oldest === undefined) return;
      state.loadingOlder = true;
      deps.changed();
      try {
        const page = await deps.rest().messages(deps.sid, { before: oldest, limit: PAGE_SIZE });
        state.hasOlder = page.hasMore;
        add(decode(page.messages));
      } finally {
        state.loadingOlder = false;
        deps.changed();
      }
    },
    /** A message pushed by the daemon (`new-message`). */
    receive(stored: StoredMessage): void {
      if (!state.loaded) return;
      const gap = stored.seq > caughtUpTo + 1;
      add(decode([stored]));
      if (gap) void catchUp().catch(() => {});
    },
    /** One of our own messages, acknowledged: the daemon does not echo it back to us. */
    acknowledged(message: ChatMessage): void {
      if (!state.loaded) return;
      const gap = message.seq > caughtUpTo + 1;
      add([message]);
      if (gap) void catchUp().catch(() => {});
    },
    catchUp: () => catchUp().catch(() => {}),
  };
}

export type Conversation = ReturnType<typeof createConversation>;
