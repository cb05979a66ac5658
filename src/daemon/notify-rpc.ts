import type { P2pServer } from "../p2p/server.ts";
import type { Notifier } from "../notify/notifier.ts";
import { NotifySettingsParams, NotifySubscribeParams, NotifyUnsubscribeParams, type NotifySettingsAnswer } from "../protocol/notify.ts";
import type { Machine } from "./machine.ts";

type Refusal = { error: string };
const invalid = (what: string, issues: { message: string }[]): Refusal => ({ error: `invalid ${what}: ${issues[0]?.message ?? "bad params"}` });

/**
 * The Notifications screen's machine RPCs. A push subscription decides who reads the
 * notification text, so adding one takes params that authenticated under this machine's
 * key and were never used before (the gate, src/p2p/socket/rpc-gate.ts): the bearer
 * token alone cannot subscribe anyone.
 */
export function serveNotifyRpc({ server, machine, notifier }: { server: P2pServer; machine: Machine; notifier: Notifier }): void {
  const serve = (name: string, run: (params: unknown) => unknown) => {
    server.rpc.serveLocally(`${machine.id}:${name}`, async (params) => run(params));
  };

  serve("notify-settings", (params): NotifySettingsAnswer | Refusal => {
    const request = NotifySettingsParams.safeParse(params);
    if (!request.success) return invalid("notification settings", request.error.issues);
    if (request.data.change) {
      const changed = notifier.change(request.data.change);
      if (!changed.ok) return { error: changed.error.message };
    }
    const endpoint = request.data.endpoint;
    return { ...notifier.status(), subscribed: endpoint ? notifier.isSubscribed(endpoint) : false };
  });
  serve("notify-subscribe", (params) => {
    const request = NotifySubscribeParams.safeParse(params);
    if (!request.success) return invalid("push subscription", request.error.issues);
    const added = notifier.subscribe(request.data.subscription, request.data.label ?? "");
    return added.ok ? { subscribed: true, id: added.data.id } : { error: added.error.message };
  });
  serve("notify-unsubscribe", (params) => {
    const request = NotifyUnsubscribeParams.safeParse(params);
    if (!request.success) return invalid("unsubscribe request", request.error.issues);
    return { removed: notifier.unsubscribe(request.data.endpoint) };
  });
  serve("notify-test", () => notifier.test());
}
