import type { Notification, NotifyChannel } from "../protocol/notify.ts";

/**
 * What one delivery achieved. `retry`: worth trying again later (the server was down or
 * busy); `gone`: the target no longer exists (a push subscription the service dropped).
 */
export type Outcome = { ok: true } | { ok: false; detail: string; retry: boolean; gone?: boolean };

/** One place a notification goes: a subscribed browser, the ntfy topic, the command. */
export type Target = {
  channel: NotifyChannel;
  /** Names the target in `notify status` and `notify test`, never with a secret in it. */
  label: string;
  send(notification: Notification): Promise<Outcome>;
};

/** An HTTP answer as an Outcome: 2xx delivered, 429 and 5xx worth a retry, the rest not. */
export async function httpOutcome(response: Response): Promise<Outcome> {
  if (response.ok) return { ok: true };
  const text = (await response.text().catch(() => "")).replace(/\s+/g, " ").slice(0, 120);
  const detail = `HTTP ${response.status}${text ? `: ${text}` : ""}`;
  return { ok: false, detail, retry: response.status === 429 || response.status >= 500 };
}

/** A failed request as an Outcome: a timeout or a refused connection is worth a retry. */
export function networkOutcome(error: unknown, timeoutMs: number): Outcome {
  const name = (error as Error | undefined)?.name;
  if (name === "TimeoutError" || name === "AbortError") return { ok: false, detail: `no answer within ${timeoutMs} ms`, retry: true };
  return { ok: false, detail: error instanceof Error ? error.message : String(error), retry: true };
}
