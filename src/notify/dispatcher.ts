import { NotifyChannel, type Delivery, type Notification } from "../protocol/notify.ts";
import type { Log } from "../shared/log.ts";
import { createRefusalSummary } from "../p2p/refusal-summary.ts";
import { collapse } from "./compose.ts";
import type { Outcome, Target } from "./target.ts";

export type DispatcherOptions = {
  /** After a notification goes out, later ones on that channel wait this long and go as one. */
  collapseMs?: number;
  /** When failed deliveries that are worth it are tried again. */
  retryDelaysMs?: number[];
  /** Deliveries in flight or waiting for a retry, per channel: past it, new ones are dropped (and counted). */
  maxWaiting?: number;
};

/** Held back during one window; past it the held ones are first collapsed into one. */
const MAX_HELD = 100;

type ChannelState = { quietUntil: number; held: Notification[]; timer: ReturnType<typeof setTimeout> | undefined; waiting: number };

/**
 * Sends each notification to every channel that wants its kind, at most once per channel
 * and target, without ever making the caller wait. A burst is collapsed: the first
 * notification goes out at once, those that follow within the window wait for its end
 * and go as one. A failed delivery is retried with backoff when that can help; failures
 * are logged as a rate-limited summary, not one line each.
 */
export function createDispatcher(
  deps: {
    targets: (channel: NotifyChannel) => Target[];
    wants: (channel: NotifyChannel, kind: Notification["kind"]) => boolean;
    log: Log;
    onResult?: (channel: NotifyChannel, delivery: Delivery) => void;
  },
  { collapseMs = 2_000, retryDelaysMs = [1_000, 5_000, 30_000], maxWaiting = 64 }: DispatcherOptions = {},
) {
  const failures = createRefusalSummary(deps.log, "notifications not delivered");
  const states = new Map<NotifyChannel, ChannelState>(
    NotifyChannel.options.map((channel) => [channel, { quietUntil: 0, held: [], timer: undefined, waiting: 0 }]),
  );

  const deliver = async (state: ChannelState, target: Target, notification: Notification, attempt: number): Promise<void> => {
    let outcome: Outcome;
    try {
      outcome = await target.send(notification);
    } catch (error) {
      outcome = { ok: false, detail: error instanceof Error ? error.message : String(error), retry: false };
    }
    deps.onResult?.(target.channel, { at: Date.now(), ok: outcome.ok, detail: outcome.ok ? `delivered to ${target.label}` : `${target.label}: ${outcome.detail}` });
    if (outcome.ok) return void state.waiting--;
    failures.record(`${target.channel} ${outcome.detail}`);
    const delay = retryDelaysMs[attempt];
    if (!outcome.retry || delay === undefined) return void state.waiting--;
    setTimeout(() => void deliver(state, target, notification, attempt + 1), delay).unref();
  };

  const sendNow = (channel: NotifyChannel, state: ChannelState, notification: Notification) => {
    state.quietUntil = Date.now() + collapseMs;
    for (const target of deps.targets(channel)) {
      if (state.waiting >= maxWaiting) {
        failures.record(`${channel} too many deliveries waiting; dropped`);
        continue;
      }
      state.waiting++;
      void deliver(state, target, notification, 0);
    }
  };

  const flush = (channel: NotifyChannel, state: ChannelState) => {
    state.timer = undefined;
    if (state.held.length === 0) return;
    const held = state.held;
    state.held = [];
    sendNow(channel, state, held.length === 1 ? held[0]! : collapse(held));
  };

  return {
    dispatch(notification: Notification): void {
      for (const [channel, state] of states) {
        if (!deps.wants(channel, notification.kind)) continue;
        const now = Date.now();
        if (state.held.length === 0 && now >= state.quietUntil) {
          sendNow(channel, state, notification);
          continue;
        }
        if (state.held.length >= MAX_HELD) state.held = [collapse(state.held)];
        state.held.push(notification);
        if (!state.timer) {
          state.timer = setTimeout(() => flush(channel, state), Math.max(0, state.quietUntil - now));
          state.timer.unref();
        }
      }
    },
    /** At shutdown: held notifications go out now; what was counted as failed is logged. */
    close(): void {
      for (const [channel, state] of states) {
        clearTimeout(state.timer);
        flush(channel, state);
      }
      failures.flush();
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
