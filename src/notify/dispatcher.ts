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

type Window = { channel: NotifyChannel; quietUntil: number; held: Notification[]; timer: ReturnType<typeof setTimeout> | undefined };

/**
 * Sends each notification to every channel that wants its kind, at most once per channel
 * and target, without ever making the caller wait. A burst is collapsed: the first
 * notification of a kind goes out at once, those of that kind that follow within the
 * window wait for its end and go as one (a crash right after a finished turn is still
 * its own notification). A failed delivery is retried with backoff when that can help; failures
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
  /** Deliveries waiting, per channel; the collapse window, per channel and kind of event. */
  const waiting = new Map<NotifyChannel, { count: number }>(NotifyChannel.options.map((channel) => [channel, { count: 0 }]));
  const windows = new Map<string, Window>();
  const windowOf = (channel: NotifyChannel, kind: Notification["kind"]) => {
    const key = `${channel}:${kind}`;
    let window = windows.get(key);
    if (!window) windows.set(key, (window = { channel, quietUntil: 0, held: [], timer: undefined }));
    return window;
  };

  const deliver = async (state: { count: number }, target: Target, notification: Notification, attempt: number): Promise<void> => {
    let outcome: Outcome;
    try {
      outcome = await target.send(notification);
    } catch (error) {
      outcome = { ok: false, detail: error instanceof Error ? error.message : String(error), retry: false };
    }
    deps.onResult?.(target.channel, { at: Date.now(), ok: outcome.ok, detail: outcome.ok ? `delivered to ${target.label}` : `${target.label}: ${outcome.detail}` });
    if (outcome.ok) return void state.count--;
    failures.record(`${target.channel} ${outcome.detail}`);
    const delay = retryDelaysMs[attempt];
    if (!outcome.retry || delay === undefined) return void state.count--;
    setTimeout(() => void deliver(state, target, notification, attempt + 1), delay).unref();
  };

  const sendNow = (window: Window, notification: Notification) => {
    window.quietUntil = Date.now() + collapseMs;
    const state = waiting.get(window.channel)!;
    for (const target of deps.targets(window.channel)) {
      if (state.count >= maxWaiting) {
        failures.record(`${window.channel} too many deliveries waiting; dropped`);
        continue;
      }
      state.count++;
      void deliver(state, target, notification, 0);
    }
  };

  const flush = (window: Window) => {
    window.timer = undefined;
    if (window.held.length === 0) return;
    const held = window.held;
    window.held = [];
    sendNow(window, held.length === 1 ? held[0]! : collapse(held));
  };

  return {
    dispatch(notification: Notification): void {
      for (const channel of NotifyChannel.options) {
        // A channel with nowhere to send holds nothing back, or its first target would get a stale burst.
        if (!deps.wants(channel, notification.kind) || deps.targets(channel).length === 0) continue;
        const window = windowOf(channel, notification.kind);
        const now = Date.now();
        if (window.held.length === 0 && now >= window.quietUntil) {
          sendNow(window, notification);
          continue;
        }
        if (window.held.length >= MAX_HELD) window.held = [collapse(window.held)];
        window.held.push(notification);
        if (!window.timer) {
          window.timer = setTimeout(() => flush(window), Math.max(0, window.quietUntil - now));
          window.timer.unref();
        }
      }
    },
    /** At shutdown: held notifications go out now; what was counted as failed is logged. */
    close(): void {
      for (const window of windows.values()) {
        clearTimeout(window.timer);
        flush(window);
      }
      failures.flush();
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
