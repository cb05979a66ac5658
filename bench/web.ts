#!/usr/bin/env bun
/**
 * The phone app's numbers:
 *   1. bundle size, raw and gzip (target: JS < 150 KB gzipped);
 *   2. first load to interactive over loopback: QR URL opened in a fresh browser until
 *      the machine shows online (cold cache), and again with a warm cache;
 *   3. a session of 10,000 messages: time from opening it to the first paint of the
 *      latest page (target < 300 ms), and to the next older page;
 *   4. a list of 150 sessions: until every row shows its latest line, read and remembered.
 * Needs Chromium (/usr/bin/chromium or REMCLI_CHROMIUM). Usage: bun bench/web.ts [--runs 5]
 */
import { parseArgs } from "node:util";
import { compressWebFiles } from "../src/p2p/web-assets.ts";
import { bundleWebApp } from "../src/p2p/web-bundle.ts";
import { startDaemon } from "../test/helpers/p2p.ts";
import { browserMissing, openPhone } from "../test/web/browser.ts";
import { fakeAgentSession } from "../test/web/fake-agent.ts";
import { createCipher, newDataEncryptionKey } from "../src/crypto/session-cipher.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" }, messages: { type: "string", default: "10000" } } });
const RUNS = Number(values.runs);
const MESSAGES = Number(values.messages);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(0)} ms`;

// 1. Bundle size.
const started = performance.now();
const assets = compressWebFiles(await bundleWebApp());
const bundleMs = performance.now() - started;
console.log(`bundle (built in ${ms(bundleMs)})`);
for (const asset of assets) console.log(`  ${asset.path.padEnd(36)} ${kb(asset.body.length).padStart(10)} raw ${kb(asset.gzip.length).padStart(10)} gzip`);
// What a page loads: the script index.html names (the service worker, /sw.js, is fetched
// after it, once); the other chunks (highlighting, one per grammar) only when first used.
const index = new TextDecoder().decode(assets.find((a) => a.path === "/index.html")!.body);
const js = assets.filter((a) => a.path.startsWith("/assets/") && a.path.endsWith(".js"));
const entry = js.filter((a) => index.includes(a.path));
const jsGzip = entry.reduce((n, a) => n + a.gzip.length, 0);
const lazyGzip = js.reduce((n, a) => n + a.gzip.length, 0) - jsGzip;
console.log(`  JS a page loads ${kb(entry.reduce((n, a) => n + a.body.length, 0))} raw, ${kb(jsGzip)} gzip (target < 150 KB gzip: ${jsGzip < 150 * 1024 ? "ok" : "OVER"})`);
console.log(`  JS loaded on first use (${js.length - entry.length} chunks) ${kb(lazyGzip)} gzip in all`);

const missing = browserMissing();
if (missing) {
  console.log(`browser numbers skipped: ${missing}`);
  process.exit(0);
}

await using daemon = await startDaemon();
const qr = JSON.parse((await daemon.box.cli(["daemon", "qr", "--json"])).stdout).url as string;
// The daemon from source bundles the app on its first request (a binary has it embedded): not part of a page load.
await fetch(`${daemon.base}/`);

// 2. First load to interactive.
await using phone = await openPhone();
const cold: number[] = [];
const warm: number[] = [];
/** Since the navigation started, as the page's own clock says: without browser process start-up. */
const coldInPage: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const context = await phone.browser.newContext({ viewport: { width: 412, height: 860 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  let t = performance.now();
  await page.goto(qr);
  await page.getByText("online", { exact: true }).waitFor();
  cold.push(performance.now() - t);
  coldInPage.push(await page.evaluate(() => performance.now()));
  t = performance.now();
  await page.reload();
  await page.getByText("online", { exact: true }).waitFor();
  warm.push(performance.now() - t);
  await context.close();
}
console.log(
  `first load to interactive (QR URL → machine online), median of ${RUNS}: cold ${ms(median(cold))} ` +
    `(${ms(median(coldInPage))} after navigation start by the page's clock), warm cache ${ms(median(warm))}`,
);

// 3. A 10,000-message session.
const agent = await fakeAgentSession(daemon, { path: "/bench/big", name: "Ten thousand messages" });
const fillStarted = performance.now();
const BATCH = 200;
for (let i = 0; i < MESSAGES; i += BATCH) {
  await Promise.all(
    Array.from({ length: Math.min(BATCH, MESSAGES - i) }, (_, k) => {
      const n = i + k;
      return n % 3 === 0
        ? agent.output({ type: "assistant", message: { role: "assistant", model: "bench", content: [{ type: "tool_use", id: `t${n}`, name: "Bash", input: { command: `echo ${n}` } }] } })
        : agent.say(`Message **${n}**: some \`code\`, a [link](https://example.com) and a list:\n\n- one\n- two`);
    }),
  );
}
console.log(`  (filled ${MESSAGES} messages in ${ms(performance.now() - fillStarted)})`);

const lastText = [...Array(MESSAGES).keys()].filter((n) => n % 3 !== 0).at(-1);
const firstPaint: number[] = [];
const olderPage: number[] = [];
const page = phone.page;
await page.goto(qr);
await page.getByText("online", { exact: true }).waitFor();
for (let run = 0; run < RUNS; run++) {
  await page.goto(`${daemon.base}/`);
  await page.getByText("online", { exact: true }).waitFor();
  await page.evaluate(() => performance.clearMeasures());
  await page.getByRole("link", { name: /Open session Ten thousand messages/ }).click();
  await page.getByText(`Message ${lastText}:`).waitFor();
  const measured = await page.waitForFunction(() => performance.getEntriesByName("remcli:session-first-paint")[0]?.duration);
  firstPaint.push((await measured.jsonValue()) as number);
  const before = await page.locator(".bubble, .tool").count();
  const t = performance.now();
  await page.getByRole("button", { name: "Load earlier messages" }).click();
  await page.waitForFunction((n) => document.querySelectorAll(".bubble, .tool").length > n, before);
  olderPage.push(performance.now() - t);
}
const rendered = await page.locator(".bubble, .tool").count();
console.log(
  `session with ${MESSAGES} messages, median of ${RUNS}: first paint of the latest page ${ms(median(firstPaint))} (target < 300 ms: ${median(firstPaint) < 300 ? "ok" : "OVER"}), ` +
    `next older page ${ms(median(olderPage))}; ${rendered} items in the DOM, not ${MESSAGES}`,
);
// 4. The session list: 150 sessions, each row's latest line read from its messages.
const LISTED = 150;
const writer = await daemon.connect();
await Promise.all(
  Array.from({ length: LISTED - 1 }, async (_, n) => {
    const key = newDataEncryptionKey(daemon.secret);
    const cipher = createCipher(daemon.secret, key.wrapped);
    const created = await daemon.api("/v1/sessions", {
      method: "POST",
      json: { tag: `bench-list-${n}`, metadata: cipher.encrypt({ path: `/bench/list/${n}`, homeDir: "/home/me" }), dataEncryptionKey: key.wrapped },
    });
    const sid = created.body.session.id as string;
    const text = (t: string) => cipher.encrypt({ role: "user", content: { type: "text", text: t }, meta: { sentFrom: "cli" } });
    await writer.timeout(10_000).emitWithAck("message", { sid, message: text(`Request ${n}`), localId: `first-${n}` });
    await writer.timeout(10_000).emitWithAck("message", { sid, message: text(`Latest line ${n}`), localId: `last-${n}` });
  }),
);
const listCold: number[] = [];
const listWarm: number[] = [];
for (let run = 0; run < RUNS; run++) {
  await page.evaluate(() => {
    for (const key of Object.keys(localStorage)) if (key.startsWith("remcli.notes.")) localStorage.removeItem(key);
  });
  let t = performance.now();
  await page.goto(`${daemon.base}/`);
  await page.waitForFunction((n) => document.querySelectorAll(".session-preview").length >= n, LISTED - 1, { timeout: 60_000 });
  listCold.push(performance.now() - t);
  t = performance.now();
  await page.reload();
  await page.waitForFunction((n) => document.querySelectorAll(".session-preview").length >= n, LISTED - 1, { timeout: 60_000 });
  listWarm.push(performance.now() - t);
}
console.log(
  `session list of ${LISTED} sessions, median of ${RUNS}: every row's latest line and name shown ${ms(median(listCold))} after opening ` +
    `(one read of the latest messages per session, 4 at a time), ${ms(median(listWarm))} with them remembered`,
);
process.exit(0);
