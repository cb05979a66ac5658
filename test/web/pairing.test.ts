import { randomBytes } from "node:crypto";
import { describe, expect, test } from "bun:test";
import { startDaemon } from "../helpers/p2p.ts";
import { browserMissing, openPhone } from "./browser.ts";
import { qrUrl, storedPairings } from "./pair.ts";

// Pairing in real Chromium against a real daemon: stale QR codes, and pairing by hand.
const missing = browserMissing();
if (missing) console.warn(`skipping the pairing browser tests: ${missing}`);
const browserTest = missing ? test.skip : test;

/** The browser logs each refused check (401) as a failed load: expected here, anything else is not. */
const unexpected = (errors: string[]) => errors.filter((e) => !e.includes("status of 401"));

const keyOf = (url: string) => JSON.parse(decodeURIComponent(new URL(url).hash.slice(1))).key as string;

describe("pairing the phone", () => {
  browserTest("an old QR after --rotate never replaces the working pairing, and says it is out of date", async () => {
    await using daemon = await startDaemon();
    await using phone = await openPhone();
    const { page } = phone;
    const old = await qrUrl(daemon);
    const current = await qrUrl(daemon, ["--rotate"]);
    await page.goto(current);
    await page.getByText("online", { exact: true }).waitFor();

    // The old link opened again (from the browser's history, a screenshot, a chat): refused, nothing changes.
    await page.goto(old);
    await page.getByRole("alert").getByText("This QR is out of date").waitFor();
    await page.getByText("Your current pairing is kept.").waitFor();
    await page.getByText("online", { exact: true }).waitFor();
    expect(page.url()).toBe(`${daemon.base}/`);
    expect((await storedPairings(phone)).map((p) => p.key)).toEqual([keyOf(current)]);
    await phone.shot("pairing-01-stale-qr");

    // A phone not paired yet is not paired with a dead key either.
    await page.evaluate(() => localStorage.clear());
    await page.goto(old);
    await page.getByRole("alert").getByText("This QR is out of date").waitFor();
    await page.getByRole("heading", { name: "Pair this phone with your computer" }).waitFor();
    expect(await storedPairings(phone)).toEqual([]);
    expect(unexpected(phone.errors)).toEqual([]);
  }, 60_000);

  browserTest("pairs by hand without a camera: a pasted link, or host, port and key", async () => {
    await using daemon = await startDaemon();
    await using phone = await openPhone();
    const { page } = phone;
    const url = await qrUrl(daemon);

    await page.goto(`${daemon.base}/`);
    await page.getByText("No camera? Pair by hand").click();
    await page.getByLabel("The link remcli daemon qr prints").fill("http://127.0.0.1:1/terminal/connect");
    await page.getByRole("button", { name: "Pair" }).click();
    await page.getByRole("alert").getByText("it has no #… part").waitFor();
    await page.getByLabel("The link remcli daemon qr prints").fill(`  ${url}\n`);
    await page.getByRole("button", { name: "Pair" }).click();
    await page.getByText("online", { exact: true }).waitFor();
    await page.getByRole("status").getByText(`Paired with 127.0.0.1:${daemon.port}.`).waitFor();
    expect((await storedPairings(phone)).map((p) => p.key)).toEqual([keyOf(url)]);

    // Host, port and key: the page's own address is filled in; a key the daemon refuses is not stored.
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.getByText("No camera? Pair by hand").click();
    await page.getByLabel("Host, port and key").check();
    expect(await page.getByLabel("Host (IP address or tunnel URL)").inputValue()).toBe("127.0.0.1");
    expect(await page.getByLabel("Port", { exact: true }).inputValue()).toBe(String(daemon.port));
    await page.getByLabel("Key", { exact: true }).fill("not a key");
    await page.getByRole("button", { name: "Pair" }).click();
    await page.getByRole("alert").getByText("That key is not a remcli pairing key").waitFor();
    await page.getByLabel("Key", { exact: true }).fill(randomBytes(32).toString("base64"));
    await page.getByRole("button", { name: "Pair" }).click();
    await page.getByRole("alert").getByText("This key is out of date").waitFor();
    expect(await storedPairings(phone)).toEqual([]);
    await page.getByLabel("Key", { exact: true }).fill(keyOf(url));
    await phone.shot("pairing-02-by-hand");
    await page.getByRole("button", { name: "Pair" }).click();
    await page.getByText("online", { exact: true }).waitFor();
    expect((await storedPairings(phone)).map((p) => p.key)).toEqual([keyOf(url)]);
    expect(unexpected(phone.errors)).toEqual([]);
  }, 60_000);
});
