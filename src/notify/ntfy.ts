import type { Notification } from "../protocol/notify.ts";
import type { NtfyConfig } from "../store/notify.ts";
import { httpOutcome, networkOutcome, type Target } from "./target.ts";

const PRIORITY: Record<Notification["kind"], number> = {
  permission: 4,
  crashed: 4,
  "spawn-failed": 4,
  finished: 3,
  ended: 3,
  test: 3,
};
/** ntfy shows these tags as emoji before the title. */
const TAGS: Record<Notification["kind"], string[]> = {
  permission: ["bell"],
  crashed: ["x"],
  "spawn-failed": ["x"],
  finished: ["white_check_mark"],
  ended: ["stop_sign"],
  test: ["wave"],
};

/** `https://ntfy.sh/my-topic` → the server's root and the topic (a self-hosted server may sit under a path). */
export function splitTopicUrl(url: string): { server: string; topic: string } {
  const parsed = new URL(url);
  const parts = parsed.pathname.split("/").filter(Boolean);
  const topic = decodeURIComponent(parts.pop() ?? "");
  return { server: `${parsed.origin}/${parts.map(encodeURIComponent).join("/")}`, topic };
}

/**
 * ntfy (ntfy.sh or a self-hosted server): a JSON publish to the server's root, so titles
 * and bodies in any language travel as UTF-8 (HTTP headers could not carry them), with
 * the access token as a bearer token. `click` opens the app on the computer's address.
 */
export function ntfyTarget(config: NtfyConfig, deps: { timeoutMs: number; appBase: () => string | null }): Target {
  const { server, topic } = splitTopicUrl(config.url);
  return {
    channel: "ntfy",
    label: `ntfy ${new URL(config.url).host}`,
    async send(notification) {
      const base = deps.appBase();
      const body = {
        topic,
        title: notification.title,
        message: notification.body,
        priority: PRIORITY[notification.kind],
        tags: TAGS[notification.kind],
        ...(base ? { click: new URL(notification.url, base).toString() } : {}),
      };
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (config.token) headers.authorization = `Bearer ${config.token}`;
      try {
        const response = await fetch(server, {
          method: "POST",
          headers,
          body: JSON.stringify(body),
          redirect: "manual",
          signal: AbortSignal.timeout(deps.timeoutMs),
        });
        return await httpOutcome(response);
      } catch (error) {
        return networkOutcome(error, deps.timeoutMs);
      }
    },
  };
}
