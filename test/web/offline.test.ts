import { describe, expect, test } from "bun:test";
import { startDaemon } from "../helpers/p2p.ts";
import { eventually } from "../helpers/sandbox.ts";
import { browserMissing, openPhone } from "./browser.ts";
import { fakeAgentSession } from "./fake-agent.ts";
import { pair } from "./pair.ts";

// The service worker keeps the app: a reload while the daemon is down still opens it.
const missing = browserMissing();
if (missing) console.warn(`skipping the offline browser tests: ${missing}`);
const browserTest = missing ? test.skip : test;

describe("the phone app offline", () => {
  browserTest("a reload while the daemon is down shows the app from its service worker, with the offline banner and the last session list", async () => {
    await using daemon = await startDaemon();
    await using phone = await openPhone();
    const { page } = phone;
    const agent = await fakeAgentSession(daemon, { path: "/work/offline", name: "Written before the outage" });
    agent.alive(false);
    await pair(phone, daemon);
    await page.getByRole("link", { name: /Open session Written before the outage/ }).waitFor();

    // Every file the daemon serves for the app is kept, the chunks loaded on first use too.
    const served = await (await fetch(`${daemon.base}/sw.js`)).text();
    const files = [...served.matchAll(/"(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(files.filter((f) => f.endsWith(".js")).length).toBeGreaterThan(3);
    await page.evaluate(() => navigator.serviceWorker.ready);
    const cached = await eventually("the app's files to be cached", async () => {
      const paths = await page.evaluate(async () => {
        const names = (await caches.keys()).filter((n) => n.startsWith("remcli-app-"));
        if (names.length !== 1) return [];
        return (await (await caches.open(names[0]!)).keys()).map((r) => new URL(r.url).pathname);
      });
      return paths.length > 0 ? paths : undefined;
    });
    expect(cached).toEqual(expect.arrayContaining([...files, "/index.html", "/manifest.webmanifest"]));
    await eventually("the worker to control the page", () => page.evaluate(() => navigator.serviceWorker.controller !== null).then((c) => c || undefined));

    expect((await daemon.box.cli(["daemon", "stop"])).code).toBe(0);
    await page.reload();
    await page.getByRole("heading", { name: "remcli" }).waitFor();
    await page.getByText(`Can't reach the daemon at 127.0.0.1:${daemon.port}.`).waitFor({ timeout: 10_000 });
    await page.getByText("offline", { exact: true }).waitFor();
    await page.getByRole("link", { name: /Open session Written before the outage/ }).waitFor();
    await phone.shot("offline-01-reload");

    // A session page reloaded offline opens too (any route is the app).
    await page.getByRole("link", { name: /Open session Written before the outage/ }).click();
    await page.reload();
    await page.getByRole("heading", { name: "Written before the outage" }).waitFor();
    expect(phone.errors.filter((e) => !/ERR_CONNECTION_REFUSED|Failed to load resource/.test(e))).toEqual([]);
  }, 60_000);

  browserTest("a page of the daemon that is not the app (/health) opened last is not kept as the app: offline, the app still opens", async () => {
    await using daemon = await startDaemon();
    await using phone = await openPhone();
    const { page } = phone;
    await pair(phone, daemon);
    await page.evaluate(() => navigator.serviceWorker.ready);
    await eventually("the worker to control the page", () => page.evaluate(() => navigator.serviceWorker.controller !== null).then((c) => c || undefined));

    // A navigation in the app's scope to JSON: network-first, it must not become the cached index.html.
    await page.goto(`${daemon.base}/health`);
    expect(await page.evaluate(() => document.body.innerText)).toContain("ok");
    expect((await daemon.box.cli(["daemon", "stop"])).code).toBe(0);
    await page.goto(`${daemon.base}/`);
    await page.getByRole("heading", { name: "remcli" }).waitFor({ timeout: 10_000 });
    await page.getByText(`Can't reach the daemon at 127.0.0.1:${daemon.port}.`).waitFor({ timeout: 10_000 });
  }, 60_000);
});
