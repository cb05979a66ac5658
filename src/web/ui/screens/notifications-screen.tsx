import { useEffect, useState } from "preact/hooks";
import { NotifySettingsAnswer, NotifyEvent, TestReport, type NotifyChannel } from "../../../protocol/notify.ts";
import { setSound, soundOn } from "../../notify/attention.ts";
import { currentEndpoint, pushSupport, subscribePush, unsubscribePush, type PushSupport } from "../../notify/push.ts";
import type { Link } from "../../sync/link.ts";
import { LinkBanner } from "../parts/link-banner.tsx";
import { goBack } from "../router.ts";
import { useLink } from "../use-link.ts";

const EVENT_NAMES: Record<NotifyEvent, string> = {
  permission: "Approval needed",
  finished: "Turn finished",
  crashed: "Session crashed",
  ended: "Session ended",
  "spawn-failed": "Session did not start",
};
const CHANNEL_NAMES: Record<NotifyChannel, string> = { push: "Push", ntfy: "ntfy", command: "Command" };

const subscribedText = (n: number) => (n === 0 ? "No browser gets push yet." : n === 1 ? "1 browser gets push." : `${n} browsers get push.`);
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Why this browser cannot get push here, and what to do instead. */
function PushAdvice({ support }: { support: Exclude<PushSupport, "ok"> }) {
  if (support === "insecure") {
    return (
      <p>
        Push notifications need a secure (HTTPS) page, and this one is plain HTTP on your network. Open the app through the
        tunnel (<code>remcli daemon start --tunnel</code>) to get them, or let the computer post to the ntfy app
        (<code>remcli notify ntfy https://ntfy.sh/your-topic</code>) or run a program of yours
        (<code>remcli notify command /path/to/program</code>).
      </p>
    );
  }
  if (support === "ios-home-screen") {
    return (
      <p>
        On iPhone and iPad (iOS 16.4 or later) push works for apps on the Home Screen: tap Share, then “Add to Home Screen”,
        open remcli from there and come back to this page.
      </p>
    );
  }
  if (support === "blocked") return <p>Notifications are blocked for this page: allow them in the browser's site settings, then reload.</p>;
  return <p>This browser has no Web Push. The ntfy app or a command hook still reach you (see <code>remcli notify --help</code>).</p>;
}

/** The daemon's notification settings, this browser's push subscription, a test, and the in-app signals. */
export function NotificationsScreen({ link }: { link: Link }) {
  useLink(link);
  const machineId = link.machines()[0]?.id;
  const [settings, setSettings] = useState<NotifySettingsAnswer | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [sound, setSoundState] = useState(soundOn());
  const support = pushSupport();
  const online = link.status.kind === "online";

  const load = async (change?: unknown) => {
    if (!machineId) return;
    const endpoint = support === "ok" ? await currentEndpoint() : null;
    const raw = await link.machineRpc(machineId, "notify-settings", { ...(endpoint ? { endpoint } : {}), ...(change ? { change } : {}) });
    const parsed = NotifySettingsAnswer.safeParse(raw);
    if (!parsed.success) throw new Error("the daemon gave an answer this app does not understand");
    setSettings(parsed.data);
  };
  const act = async (run: () => Promise<unknown>, done?: string) => {
    setBusy(true);
    setMessage(null);
    try {
      await run();
      if (done) setMessage(done);
    } catch (error) {
      setMessage(`Failed: ${errorText(error)}`);
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    if (online && machineId && !settings) void act(() => load());
  }, [online, machineId]);

  const test = () =>
    act(async () => {
      const report = TestReport.parse(await link.machineRpc(machineId!, "notify-test", {}));
      if (report.results.length === 0) throw new Error("nothing is set up to notify yet");
      setMessage(report.results.map((r) => `${CHANNEL_NAMES[r.channel]} ${r.target}: ${r.ok ? "sent" : r.detail}`).join(" · "));
    });
  const channels = (["push", "ntfy", "command"] as const).filter(
    (channel) => channel === "push" || (channel === "ntfy" ? settings?.channels.ntfy.url : settings?.channels.command.argv),
  );

  return (
    <main class="screen notifications">
      <header class="topbar">
        <button type="button" class="back" aria-label="Back" onClick={goBack}>‹</button>
        <h1>Notifications</h1>
      </header>
      <LinkBanner link={link} />

      <section class="panel" aria-label="Push to this browser">
        <h2>Push to this browser</h2>
        {support !== "ok" ? <PushAdvice support={support} /> : null}
        {support === "ok" && settings ? (
          <div class="row">
            {settings.subscribed ? (
              <button type="button" disabled={busy} onClick={() => void act(async () => { await unsubscribePush(link, machineId!); await load(); }, "Push is off for this browser.")}>
                Turn off push
              </button>
            ) : (
              <button type="button" class="primary" disabled={busy} onClick={() => void act(async () => { await subscribePush(link, machineId!, settings.vapidPublicKey); await load(); }, "This browser gets push notifications now.")}>
                Turn on push
              </button>
            )}
            <span class="muted">{subscribedText(settings.channels.push.subscriptions.length)}</span>
          </div>
        ) : null}
        <div class="row">
          <button type="button" disabled={busy || !settings} onClick={() => void test()}>Send a test</button>
        </div>
      </section>

      {settings ? (
        <section class="panel" aria-label="Which events">
          <h2>Which events</h2>
          <div class="table-scroll">
            <table class="events">
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  {channels.map((channel) => <th scope="col" key={channel}>{CHANNEL_NAMES[channel]}</th>)}
                </tr>
              </thead>
              <tbody>
                {NotifyEvent.options.map((event) => (
                  <tr key={event}>
                    <th scope="row">{EVENT_NAMES[event]}</th>
                    {channels.map((channel) => (
                      <td key={channel}>
                        <input
                          type="checkbox"
                          aria-label={`${EVENT_NAMES[event]} by ${CHANNEL_NAMES[channel]}`}
                          checked={settings.channels[channel].events.includes(event)}
                          disabled={busy}
                          onChange={(e) => void act(() => load({ set: "event", event, channel, on: (e.target as HTMLInputElement).checked }))}
                        />
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p class="muted">
            ntfy and a program of your own are set on the computer: <code>remcli notify ntfy &lt;url&gt;</code>,{" "}
            <code>remcli notify command &lt;program&gt;</code>.
          </p>
        </section>
      ) : null}

      <section class="panel" aria-label="While this page is open">
        <h2>While this page is open</h2>
        <p class="muted">The tab title counts what happened elsewhere; while the page is hidden it also vibrates and, if allowed, shows a notification.</p>
        <div class="row">
          {"Notification" in window && Notification.permission === "default" ? (
            <button type="button" onClick={() => void act(() => Notification.requestPermission())}>Allow notifications</button>
          ) : null}
          <label class="row">
            <input type="checkbox" checked={sound} onChange={(e) => { const on = (e.target as HTMLInputElement).checked; setSound(on); setSoundState(on); }} />
            Play a sound
          </label>
        </div>
      </section>
      {message ? <p class="notice" role="status">{message}</p> : null}
    </main>
  );
}
