import { describe, expect, test } from "bun:test";
import { fakeClaude, spawnFromPhone, assistantText } from "../helpers/agent.ts";
import { startDaemon } from "../helpers/p2p.ts";
import { browserMissing, openPhone } from "./browser.ts";

// Real headless Chromium at a phone viewport against a real daemon and the fake Claude Code.
const missing = browserMissing();
if (missing) console.warn(`skipping the rotation browser test: ${missing}`);
const browserTest = missing ? test.skip : test;

describe("the phone app across qr --rotate", () => {
  browserTest("after re-scanning, a running session's history reads and it answers", async () => {
    using claude = fakeClaude();
    await using daemon = await startDaemon(claude.env);
    const alpha = await spawnFromPhone(daemon, "alpha");
    const at = await alpha.session.send("before the rotation");
    await alpha.session.waitFor("the echo", (m) => assistantText(m) === "echo: before the rotation", at);

    await using phone = await openPhone();
    const { page } = phone;
    const first = JSON.parse((await daemon.box.cli(["daemon", "qr", "--json"])).stdout).url as string;
    await page.goto(first);
    await page.getByText("online", { exact: true }).waitFor();

    const rotated = await daemon.box.cli(["daemon", "qr", "--rotate", "--json"]);
    expect(rotated.code).toBe(0);
    await page.getByRole("heading", { name: "This pairing no longer works" }).waitFor();
    // Re-scanned from the compact QR a small terminal shows (`#k=<key>`): the same pairing, new key.
    const { compactUrl, key } = JSON.parse(rotated.stdout);
    await page.goto(compactUrl);
    await page.getByText("online", { exact: true }).waitFor();
    const pairings = JSON.parse((await page.evaluate(() => localStorage.getItem("remcli.pairings.v1")))!);
    expect(pairings).toEqual([expect.objectContaining({ endpoint: daemon.base, key })]);
    expect(page.url()).toBe(`${daemon.base}/`);

    await page.getByRole("link", { name: /Open session (alpha|before the rotation)/ }).click();
    await page.getByText("echo: before the rotation").waitFor();
    expect(await page.getByText("Unreadable session").count()).toBe(0);
    expect(await page.getByText("A message this app cannot read").count()).toBe(0);
    await page.getByLabel("Message to the agent").fill("after the rotation");
    await page.getByRole("button", { name: "Send message" }).click();
    await page.getByText("echo: after the rotation").waitFor({ timeout: 15_000 });
    await phone.shot("rotation-after-rescan");
    expect(phone.errors).toEqual([]);
  });
});
