import { describe, expect, test } from "bun:test";
import { toBase64 } from "../../src/crypto/encoding.ts";
import { forwarder } from "../helpers/forwarder.ts";
import { startDaemon } from "../helpers/p2p.ts";
import { browserMissing, openPhone } from "./browser.ts";
import { fakeAgentSession } from "./fake-agent.ts";

// Real headless Chromium against a real daemon on 127.0.0.1, also advertised (REMCLI_ADVERTISE)
// as 127.0.0.2, where nothing listens, and 127.0.0.3, a forwarder the test takes away.
const missing = browserMissing();
if (missing) console.warn(`skipping the failover browser test: ${missing}`);
const browserTest = missing ? test.skip : test;

describe("every way in: the app fails over between the daemon's addresses", () => {
  browserTest("a dead first address is skipped; when the one in use goes away the app switches to the next", async () => {
    await using daemon = await startDaemon({ REMCLI_ADVERTISE: "127.0.0.2,127.0.0.3" });
    const { port } = daemon;
    const qr = JSON.parse((await daemon.box.cli(["daemon", "qr", "--json"])).stdout);
    expect(qr.addresses).toEqual([
      { kind: "bound", url: `http://127.0.0.1:${port}` },
      { kind: "advertised", url: `http://127.0.0.2:${port}` },
      { kind: "advertised", url: `http://127.0.0.3:${port}` },
    ]);
    expect(qr.alt).toEqual([`http://127.0.0.2:${port}`, `http://127.0.0.3:${port}`]);

    using relay = forwarder({ host: "127.0.0.3", port, target: { host: "127.0.0.1", port } });
    await using phone = await openPhone();
    const { page } = phone;
    // The order a phone away from the page's own address would see: dead, relay, then the page's own.
    const payload = {
      mode: "p2p",
      host: "127.0.0.2",
      port,
      key: toBase64(daemon.secret),
      v: 1,
      alt: [`http://127.0.0.3:${port}`, `http://127.0.0.1:${port}`],
    };
    await page.goto(`${daemon.base}/terminal/connect#${encodeURIComponent(JSON.stringify(payload))}`);
    const card = page.getByRole("article", { name: /^Machine / });
    await card.getByText(`127.0.0.3:${port}`).waitFor();
    await card.getByText("online", { exact: true }).waitFor();
    expect(relay.accepted).toBeGreaterThan(0);
    const remembered = await page.evaluate(() => Object.entries(localStorage).find(([key]) => key.startsWith("remcli.reach.v1."))?.[1]);
    expect(JSON.parse(remembered!)).toEqual({ any: `http://127.0.0.3:${port}` });

    // The relay's network goes away: the app is back, live, through the next address.
    relay.close();
    await card.getByText(`127.0.0.1:${port}`).waitFor({ timeout: 10_000 });
    await card.getByText("online", { exact: true }).waitFor();
    const agent = await fakeAgentSession(daemon, { path: "/home/me/code/api", name: "After the switch" });
    agent.alive(false);
    await page.getByRole("link", { name: /Open session After the switch/ }).waitFor();
    expect(phone.errors.filter((error) => !/ERR_CONNECTION_REFUSED|Failed to load resource|WebSocket/.test(error))).toEqual([]);
  });

  browserTest("an address that goes silent (no reset) is left when the browser says the network changed", async () => {
    await using daemon = await startDaemon({ REMCLI_ADVERTISE: "127.0.0.3" });
    const { port } = daemon;
    using relay = forwarder({ host: "127.0.0.3", port, target: { host: "127.0.0.1", port } });
    await using phone = await openPhone();
    const { page } = phone;
    const payload = { mode: "p2p", host: "127.0.0.3", port, key: toBase64(daemon.secret), v: 1, alt: [`http://127.0.0.1:${port}`] };
    await page.goto(`${daemon.base}/terminal/connect#${encodeURIComponent(JSON.stringify(payload))}`);
    const card = page.getByRole("article", { name: /^Machine / });
    await card.getByText(`127.0.0.3:${port}`).waitFor();
    await card.getByText("online", { exact: true }).waitFor();
    relay.freeze();
    await page.evaluate(() => dispatchEvent(new Event("online")));
    await card.getByText(`127.0.0.1:${port}`).waitFor({ timeout: 10_000 });
    await card.getByText("online", { exact: true }).waitFor();
  });
});
