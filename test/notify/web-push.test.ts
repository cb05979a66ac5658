import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { createCipher } from "../../src/crypto/session-cipher.ts";
import { startDaemon, type Daemon } from "../helpers/p2p.ts";
import { makeSubscription, startPushService, verifyVapid, type PushRequest } from "../helpers/push-service.ts";
import { eventually } from "../helpers/sandbox.ts";
import { controlOf, machineRpc } from "../helpers/sessions.ts";

// The daemon's Web Push against a push service on loopback; the browser's side is made
// in the test (headless Chromium cannot reach a real push service here; see
// test/web/notifications.test.ts for our service worker showing what arrives).
let daemon: Daemon;
let push: ReturnType<typeof startPushService>;

beforeAll(async () => {
  push = startPushService();
  daemon = await startDaemon();
});
afterAll(async () => {
  await daemon?.[Symbol.asyncDispose]();
  push?.[Symbol.dispose]();
});

async function subscribe(name: string) {
  const subscription = makeSubscription(`${push.base}/push/${name}`);
  const phone = await daemon.connect();
  const answer = await machineRpc(daemon, phone, "notify-subscribe", { subscription: subscription.json, label: `test ${name}` });
  expect(answer).toEqual({ subscribed: true, id: expect.any(Number) });
  phone.close();
  return subscription;
}

const permission = (sessionId: string, summary: string) =>
  controlOf(daemon).call("notifyEvent", { sessionId, notice: { kind: "permission", tool: "Bash", summary } });

const status = async () => {
  const answer = await controlOf(daemon).call("notifyStatus", {});
  if (!answer.ok) throw new Error(answer.error.message);
  return answer.data;
};

const payloads = (subscription: ReturnType<typeof makeSubscription>, requests: PushRequest[]) =>
  requests.map((r) => JSON.parse(subscription.decrypt(r.body)));

describe("Web Push", () => {
  test("a permission request reaches a subscribed browser: encrypted to it (RFC 8291) and signed with the daemon's VAPID key (RFC 8292)", async () => {
    const browser = await subscribe("first");
    expect((await permission("session-one", "Bash: npm test")).ok).toBe(true);
    const [request] = await eventually("the push request", () => (push.to(browser.path).length > 0 ? push.to(browser.path) : undefined));

    expect(request!.headers).toMatchObject({ "content-encoding": "aes128gcm", ttl: "3600", urgency: "high", topic: expect.stringMatching(/^[A-Za-z0-9_-]{1,32}$/) });
    const vapid = verifyVapid(request!.headers.authorization);
    const known = await status();
    expect(vapid.key).toBe(known.vapidPublicKey);
    expect(vapid.header).toEqual({ typ: "JWT", alg: "ES256" });
    expect(vapid.claims.aud).toBe(push.base);
    expect(vapid.claims.sub).toBe(known.contact);
    const now = Date.now() / 1000;
    expect(vapid.claims.exp).toBeGreaterThan(now);
    expect(vapid.claims.exp).toBeLessThanOrEqual(now + 24 * 3600);

    const [payload] = payloads(browser, [request!]);
    expect(payload).toMatchObject({
      kind: "permission",
      title: "Approval needed · remcli",
      body: "Bash: npm test",
      url: "/open/session-one",
      tag: "remcli-session-one",
      sessionId: "session-one",
      count: 1,
    });
    // The VAPID private key stays in its 0600 file and out of the log.
    const keyFile = join(daemon.box.home, "vapid.key");
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const privateKey = readFileSync(keyFile).toString("base64url");
    const log = readFileSync(join(daemon.box.home, "logs", "daemon.log"), "utf8");
    expect(log).not.toContain(privateKey);
    // Every line of the log is ours: web-push's url.parse() deprecation warning is hushed.
    expect(log).not.toContain("DeprecationWarning");
  });

  test("the bearer token alone subscribes nobody, and a subscribe call is good once", async () => {
    const phone = await daemon.connect();
    const [machine] = (await daemon.api("/v1/machines")).body as Array<{ id: string; dataEncryptionKey: string }>;
    const intruder = makeSubscription(`${push.base}/push/intruder`);
    const plain = await phone.timeout(5_000).emitWithAck("rpc-call", { method: `${machine!.id}:notify-subscribe`, params: JSON.stringify({ subscription: intruder.json }) });
    expect(plain).toMatchObject({ ok: false, error: expect.stringContaining("did not decrypt") });

    const cipher = createCipher(daemon.secret, machine!.dataEncryptionKey);
    const sniffed = cipher.encrypt({ subscription: makeSubscription(`${push.base}/push/replayed`).json });
    expect((await phone.timeout(5_000).emitWithAck("rpc-call", { method: `${machine!.id}:notify-subscribe`, params: sniffed })).ok).toBe(true);
    const replay = await phone.timeout(5_000).emitWithAck("rpc-call", { method: `${machine!.id}:notify-subscribe`, params: sniffed });
    expect(replay).toMatchObject({ ok: false, error: expect.stringContaining("already used") });

    // A subscription must point at a push service over HTTPS (or this machine's loopback).
    const elsewhere = await machineRpc(daemon, phone, "notify-subscribe", { subscription: { ...intruder.json, endpoint: "http://10.0.0.7/push" } });
    expect(elsewhere).toEqual({ error: "a push endpoint must be an https:// URL" });
    phone.close();
    const origins = (await status()).channels.push.subscriptions.map((s) => s.label);
    expect(origins).not.toContain("test intruder");
    // Forget the replayed one: later tests count deliveries per browser.
    const replayed = (await status()).channels.push.subscriptions.find((s) => s.label === "a browser");
    expect((await controlOf(daemon).call("notifyChange", { set: "forget", subscription: replayed!.id })).ok).toBe(true);
  });

  test("a burst of ten permission requests arrives collapsed: at most two pushes that count all ten", async () => {
    const browser = await subscribe("burst");
    // One after another: sent at once, their order at the daemon is not theirs, and the
    // push names the latest the daemon heard (a CI run got "step 3" last).
    for (let i = 0; i < 10; i++) await permission("session-burst", `Bash: step ${i}`);
    const counted = await eventually(
      "all ten to be counted",
      () => {
        const seen = payloads(browser, push.to(browser.path));
        return seen.reduce((sum, p) => sum + p.count, 0) === 10 ? seen : undefined;
      },
      10_000,
    );
    expect(counted.length).toBeLessThanOrEqual(2);
    const last = counted.at(-1);
    if (counted.length === 2) expect(last).toMatchObject({ title: "9 more approvals needed · remcli", tag: "remcli-session-burst" });
    expect(last.body).toContain("Latest: Bash: step 9");
  });

  test("a push service that fails once gets the notification again later; a 410 removes the subscription", async () => {
    const flaky = await subscribe("flaky");
    push.answer(flaky.path, [503]);
    await permission("session-flaky", "Bash: make");
    const tries = await eventually("the retry", () => (push.to(flaky.path).length >= 2 ? push.to(flaky.path) : undefined), 10_000);
    expect(payloads(flaky, tries).map((p) => p.body)).toEqual(["Bash: make", "Bash: make"]);
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(900);
    const log = readFileSync(join(daemon.box.home, "logs", "daemon.log"), "utf8");
    expect(log).toMatch(/notifications not delivered count=1 .*push HTTP 503/);

    const gone = await subscribe("gone");
    push.answer(gone.path, [410]);
    await permission("session-gone", "Bash: rm");
    await eventually("the subscription to be dropped", async () =>
      (await status()).channels.push.subscriptions.some((s) => s.label === "test gone") ? undefined : true,
    );
    expect(push.to(gone.path)).toHaveLength(1);
    expect((await status()).channels.push.last?.detail).toContain("gone; removed");
  });
});
