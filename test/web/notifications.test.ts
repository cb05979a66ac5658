import { describe, expect, test } from "bun:test";
import { startDaemon, type Daemon } from "../helpers/p2p.ts";
import { makeSubscription, startPushService } from "../helpers/push-service.ts";
import { eventually } from "../helpers/sandbox.ts";
import { controlOf, machineRpc } from "../helpers/sessions.ts";
import { browserMissing, openPhone, type Phone } from "./browser.ts";
import { fakeAgentSession } from "./fake-agent.ts";

const missing = browserMissing();
if (missing) console.warn(`skipping the notification browser tests: ${missing}`);
const browserTest = missing ? test.skip : test;

/**
 * Headless Chromium keeps every page visible, so the test plays the one thing it cannot
 * make: the tab going to the background (`visibilityState` and its event). And it
 * records vibrations, which a desktop browser has no motor for.
 */
const BACKGROUND_TAB = () => {
  const page = window as unknown as { __hidden: boolean; __vibrations: unknown[]; __setHidden(hidden: boolean): void };
  page.__hidden = false;
  page.__vibrations = [];
  navigator.vibrate = ((pattern: VibratePattern) => (page.__vibrations.push(pattern), true)) as Navigator["vibrate"];
  Object.defineProperty(Document.prototype, "visibilityState", { configurable: true, get: () => (page.__hidden ? "hidden" : "visible") });
  Object.defineProperty(Document.prototype, "hidden", { configurable: true, get: () => page.__hidden });
  page.__setHidden = (hidden) => {
    page.__hidden = hidden;
    document.dispatchEvent(new Event("visibilitychange"));
  };
};

async function pairedPhone(daemon: Daemon): Promise<Phone> {
  const phone = await openPhone();
  await phone.context.grantPermissions(["notifications"], { origin: daemon.base });
  await phone.context.addInitScript(BACKGROUND_TAB);
  const qr = await daemon.box.cli(["daemon", "qr", "--json"]);
  await phone.page.goto(JSON.parse(qr.stdout).url);
  await phone.page.getByText("online", { exact: true }).waitFor();
  // Our service worker is registered on a secure origin (loopback counts as one).
  expect(await phone.page.evaluate(() => navigator.serviceWorker.ready.then((r) => r.active?.scriptURL))).toBe(`${daemon.base}/sw.js`);
  return phone;
}

const shown = (phone: Phone) =>
  phone.page.evaluate(async () =>
    (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data })),
  );

describe("notifications in the browser", () => {
  browserTest("a permission request while the tab is hidden: title badge, a notification and a vibration; nothing for the session on screen", async () => {
    await using daemon = await startDaemon();
    await using phone = await pairedPhone(daemon);
    const { page } = phone;
    const agent = await fakeAgentSession(daemon, { path: "/home/me/code/webapp", name: "Fix the login bug" });
    await page.getByRole("link", { name: /Open session Fix the login bug/ }).waitFor();
    expect(await page.title()).toBe("remcli");

    await page.evaluate(() => (window as unknown as { __setHidden(h: boolean): void }).__setHidden(true));
    await agent.ask("perm-1", "Bash", { command: "rm -rf build\necho done" });
    await page.waitForFunction(() => document.title === "(1) remcli");
    await eventually("the system notification", async () => ((await shown(phone)).length > 0 ? true : undefined));
    expect(await shown(phone)).toEqual([
      { title: "Approval needed · Fix the login bug", body: "Bash: rm -rf build", tag: `remcli-${agent.sid}`, data: { url: `/open/${agent.sid}` } },
    ]);
    expect(await page.evaluate(() => (window as unknown as { __vibrations: unknown[] }).__vibrations)).toEqual([[200, 100, 200]]);

    // Back in front, on that session: the badge goes; a new request there signals nothing.
    await page.evaluate(() => (window as unknown as { __setHidden(h: boolean): void }).__setHidden(false));
    await page.getByRole("link", { name: /Open session Fix the login bug/ }).click();
    await page.waitForFunction(() => document.title === "remcli");
    await agent.ask("perm-2", "Edit", { file_path: "src/login.ts", old_string: "secret file contents" });
    await page.getByRole("region", { name: "Permission request: Edit" }).waitFor();
    expect(await page.title()).toBe("remcli");
    expect((await shown(phone)).map((n) => n.body)).toEqual(["Bash: rm -rf build"]);
    expect(await page.evaluate(() => (window as unknown as { __vibrations: unknown[] }).__vibrations)).toHaveLength(1);

    // The Notifications screen: its toggles change the daemon's settings over the encrypted machine RPC.
    await page.getByRole("button", { name: "Back to sessions" }).click();
    await page.getByRole("button", { name: "Notifications" }).click();
    await page.getByRole("heading", { name: "Push to this browser" }).waitFor();
    const finishedByPush = page.getByRole("checkbox", { name: "Turn finished by Push" });
    expect(await finishedByPush.isChecked()).toBe(true);
    await finishedByPush.click();
    await eventually("the setting to reach the daemon", async () => {
      const status = await controlOf(daemon).call("notifyStatus", {});
      return status.ok && !status.data.channels.push.events.includes("finished") ? true : undefined;
    });
    await page.waitForFunction(() => !(document.querySelector('[aria-label="Turn finished by Push"]') as HTMLInputElement).checked);
    await phone.shot("10-notifications");
    expect(phone.errors).toEqual([]);
  });

  browserTest("a push from the daemon is shown by our service worker, and its link opens that session", async () => {
    using pushService = startPushService();
    await using daemon = await startDaemon();
    await using phone = await pairedPhone(daemon);
    const { page } = phone;
    const agent = await fakeAgentSession(daemon, { path: "/home/me/code/api", name: "Speed up the API" });
    await page.getByRole("link", { name: /Open session Speed up the API/ }).waitFor();

    // Headless Chromium cannot reach a real push service: the browser's subscription is made
    // in the test, and what the daemon sends is handed to our worker as the browser would.
    const cdp = await phone.context.newCDPSession(page);
    const registrations: Array<{ registrationId: string; scopeURL: string; isDeleted: boolean }> = [];
    cdp.on("ServiceWorker.workerRegistrationUpdated", (event) => registrations.push(...event.registrations));
    await cdp.send("ServiceWorker.enable");
    const registration = await eventually("our worker's registration", () => registrations.find((r) => r.scopeURL === `${daemon.base}/` && !r.isDeleted));

    const browser = makeSubscription(`${pushService.base}/push/chromium`);
    const socket = await daemon.connect();
    await machineRpc(daemon, socket, "notify-subscribe", { subscription: browser.json, label: "Chromium" });
    await controlOf(daemon).call("notifyEvent", { sessionId: agent.sid, notice: { kind: "permission", tool: "Bash", summary: "Bash: npm run bench" } });
    const [request] = await eventually("the push", () => (pushService.to(browser.path).length ? pushService.to(browser.path) : undefined));
    const payload = browser.decrypt(request!.body);

    // No window of the app in front: the worker shows a system notification.
    await page.goto("about:blank");
    await cdp.send("ServiceWorker.deliverPushMessage", { origin: daemon.base, registrationId: registration.registrationId, data: payload });
    await page.goto(`${daemon.base}/`);
    const [notification] = await eventually("the worker's notification", async () => ((await shown(phone)).length ? shown(phone) : undefined));
    expect(notification).toEqual({ title: "Approval needed · remcli", body: "Bash: npm run bench", tag: `remcli-${agent.sid}`, data: { url: `/open/${agent.sid}` } });

    // Its link, as a tap opens it: the app finds the pairing that knows the session.
    await page.goto(`${daemon.base}${notification!.data.url}`);
    await page.waitForURL(new RegExp(`/s/[^/]+/${agent.sid}$`));
    await page.getByRole("heading", { name: "Speed up the API" }).waitFor();
    expect(phone.errors).toEqual([]);
  });
});
