import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "bun:test";
import { createNativeCipher } from "../../src/crypto/native.ts";
import { fakeClaude } from "../helpers/agent.ts";
import { startDaemon, type Daemon } from "../helpers/p2p.ts";
import { eventually } from "../helpers/sandbox.ts";
import { browserMissing, openFromList, openPhone } from "./browser.ts";
import { fakeAgentSession } from "./fake-agent.ts";
import { pair } from "./pair.ts";

// Stop, resume and hand-back on the session screen: real Chromium, a real daemon, the
// real session runner driving the fake `claude`.
const missing = browserMissing();
if (missing) console.warn(`skipping the session lifecycle browser tests: ${missing}`);
const browserTest = missing ? test.skip : test;


/** The session's metadata as the runner wrote it, decrypted. */
async function metadataOf(daemon: Daemon, sid: string): Promise<Record<string, unknown>> {
  const sessions = (await daemon.api("/v1/sessions")).body.sessions as Array<{ id: string; metadata: string; dataEncryptionKey: string }>;
  const session = sessions.find((s) => s.id === sid)!;
  return createNativeCipher(daemon.secret, session.dataEncryptionKey).decrypt(session.metadata) as Record<string, unknown>;
}


describe("the session screen", () => {
  browserTest("stop asks first, then Resume continues the same conversation in the same view", async () => {
    using claude = fakeClaude();
    await using daemon = await startDaemon(claude.env);
    await using phone = await openPhone();
    const { page } = phone;
    await pair(phone, daemon);

    const directory = join(daemon.box.home, "work", "resumable");
    mkdirSync(directory, { recursive: true });
    await page.getByRole("button", { name: "New session" }).click();
    await page.getByLabel("Directory").fill(directory);
    await page.getByRole("button", { name: "Start session" }).click();
    await page.waitForURL(/\/s\/[^/]+\/[^/]+$/);
    const sessionUrl = page.url();
    const composer = page.getByLabel("Message to the agent");
    await composer.fill("hello");
    await page.getByRole("button", { name: "Send message" }).click();
    await page.locator(".bubble.agent", { hasText: "echo: hello" }).waitFor();

    // Started by the daemon: no terminal holds it (the runner says so), so nothing to hand control to.
    const sid = decodeURIComponent(sessionUrl.split("/").at(-1)!);
    expect(await metadataOf(daemon, sid)).toMatchObject({ hasTerminal: false, slashCommands: ["compact", "review", "init"] });
    await page.getByLabel("Session actions").click();
    expect(await page.getByRole("button", { name: "Hand control to the terminal" }).count()).toBe(0);
    await page.getByRole("button", { name: "Stop session…" }).click();
    // The menu closed; the app asks before stopping, and Cancel stops nothing.
    const dialog = page.getByRole("alertdialog", { name: "Stop this session?" });
    await dialog.waitFor();
    expect(await page.locator("details.menu[open]").count()).toBe(0);
    // Focus starts on Cancel; Escape cancels too.
    await dialog.getByRole("button", { name: "Cancel" }).waitFor();
    // The sheet moves focus once it has rendered; on a loaded machine that is a frame later.
    const focused = await page
      .waitForFunction(() => document.activeElement?.textContent === "Cancel", undefined, { timeout: 5_000 })
      .then(() => "Cancel")
      .catch(() => page.evaluate(() => document.activeElement?.textContent));
    expect(focused).toBe("Cancel");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await page.getByLabel("Session actions").click();
    await page.getByRole("button", { name: "Stop session…" }).click();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.locator(".session .badge", { hasText: "idle" }).waitFor();

    await page.getByLabel("Session actions").click();
    await page.getByRole("button", { name: "Stop session…" }).click();
    await phone.shot("phone-app-stop-confirm");
    await page.emulateMedia({ colorScheme: "dark" });
    await phone.shot("stop-confirm-dark");
    await page.emulateMedia({ colorScheme: "light" });
    await dialog.getByRole("button", { name: "Stop session" }).click();
    await page.locator(".session .badge", { hasText: "ended" }).waitFor();
    const resume = page.getByRole("button", { name: "Resume" });
    await resume.waitFor();
    expect(await composer.count()).toBe(0);
    // Nothing left to do in the menu of an ended session.
    expect(await page.getByLabel("Session actions").count()).toBe(0);
    await phone.shot("phone-app-resume");

    await resume.click();
    await composer.waitFor();
    await page.locator(".session .badge", { hasText: "idle" }).waitFor();
    expect(page.url()).toBe(sessionUrl);
    await composer.fill("hello again");
    await page.getByRole("button", { name: "Send message" }).click();
    await page.locator(".bubble.agent", { hasText: "echo: hello again" }).waitFor();
    // One view, one conversation: the first answer is still above the second.
    expect(await page.locator(".bubble.agent").allInnerTexts()).toEqual(["echo: hello", "echo: hello again"]);
    // The cost goes on from where it was: Claude Code's running total continues on resume.
    await page.getByLabel("Session cost").getByText("$0.0020 so far").waitFor();
    expect(await page.locator(".turn-end").allInnerTexts()).toEqual(["Turn done · $0.0010 · 0.0 s", "Turn done · $0.0010 · 0.0 s"]);
    // Claude Code was started again on its conversation, not on a new one.
    const starts = claude.received().flatMap((r) => (r.type === "argv" && r.argv.includes("--input-format") ? [r.argv.join(" ")] : []));
    expect(starts).toHaveLength(2);
    const conversation = /--session-id[= ](\S+)/.exec(starts[0]!)?.[1];
    expect(conversation).toBeString();
    expect(starts[1]).toContain(`--resume=${conversation}`);
    expect(phone.errors).toEqual([]);
  }, 60_000);

  browserTest("hand control to the terminal is offered while a terminal holds the session, and the menu closes after it", async () => {
    await using daemon = await startDaemon();
    await using phone = await openPhone();
    const { page } = phone;
    await pair(phone, daemon);
    const held = await fakeAgentSession(daemon, { path: "/home/me/held", name: "In a terminal", metadata: { hasTerminal: true } });
    held.alive(false);
    await openFromList(page, /Open session In a terminal/);
    await page.locator(".session .badge", { hasText: "idle" }).waitFor();

    await page.getByLabel("Session actions").click();
    await page.getByRole("button", { name: "Hand control to the terminal" }).click();
    await page.getByRole("status").filter({ hasText: "Control handed back to the terminal." }).waitFor();
    expect(await page.locator("details.menu[open]").count()).toBe(0);
    expect(held.calls.filter((c) => c.method === "switch").map((c) => c.params.to)).toEqual(["local"]);

    // A session no terminal holds offers only Stop.
    const phoneOnly = await fakeAgentSession(daemon, { path: "/home/me/phone-only", name: "Phone only", metadata: { hasTerminal: false } });
    phoneOnly.alive(false);
    await page.getByRole("button", { name: "Back to sessions" }).click();
    await openFromList(page, /Open session Phone only/);
    await page.locator(".session .badge", { hasText: "idle" }).waitFor();
    await page.getByLabel("Session actions").click();
    await page.getByRole("button", { name: "Stop session…" }).waitFor();
    expect(await page.getByRole("button", { name: "Hand control to the terminal" }).count()).toBe(0);
    // A tap outside the menu closes it.
    await page.getByRole("log", { name: "Conversation" }).click();
    await page.getByRole("button", { name: "Stop session…" }).waitFor({ state: "hidden" });
    await eventually("no page errors", () => (phone.errors.length === 0 ? true : undefined));
  }, 60_000);
});
