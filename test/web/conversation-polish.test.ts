import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "bun:test";
import { fakeClaude } from "../helpers/agent.ts";
import { startDaemon } from "../helpers/p2p.ts";
import { eventually } from "../helpers/sandbox.ts";
import { browserMissing, openPhone } from "./browser.ts";
import { fakeAgentSession } from "./fake-agent.ts";
import { pair } from "./pair.ts";

// The conversation's working indicator, jump to latest, running cost and slash
// commands: real Chromium against a real daemon.
const missing = browserMissing();
if (missing) console.warn(`skipping the conversation browser tests: ${missing}`);
const browserTest = missing ? test.skip : test;



describe("the conversation", () => {
  browserTest("shows the agent working with its time, offers the latest when scrolled up, and keeps the running cost over a reload", async () => {
    await using daemon = await startDaemon();
    await using phone = await openPhone();
    const { page } = phone;
    await pair(phone, daemon);
    const agent = await fakeAgentSession(daemon, { path: "/home/me/code/shop", name: "Checkout flow" });
    agent.alive(false);
    await page.getByRole("link", { name: /Open session Checkout flow/ }).click();
    await page.getByText("Start of the conversation").waitFor();

    // Two turns: Claude Code's result costs are running totals of the conversation.
    await agent.say("First turn done.");
    await agent.output({ type: "result", subtype: "success", total_cost_usd: 0.0123, duration_ms: 1000, is_error: false });
    await agent.say("Second turn done.");
    await agent.output({ type: "result", subtype: "success", total_cost_usd: 0.0456, duration_ms: 2000, is_error: false });
    const cost = page.getByLabel("Session cost");
    await cost.getByText("$0.05 so far").waitFor();
    expect(await page.locator(".turn-end").allInnerTexts()).toEqual(["Turn done · $0.01 · 1.0 s", "Turn done · $0.03 · 2.0 s"]);

    // Working: dots and the time since the turn's prompt, ticking; gone when the turn ends.
    await agent.output({ type: "user", message: { role: "user", content: "Now run the tests" } });
    agent.alive(true);
    const working = page.getByRole("status").filter({ hasText: "Working" });
    await working.waitFor();
    await working.getByText(/^[3-9] s$/).waitFor({ timeout: 6_000 });
    await phone.shot("phone-app-working");
    // Opened again mid-turn, it counts from the stored prompt, not from the reload (give or
    // take the half second the daemon's clock is known to, from its whole-second Date header).
    await page.reload();
    await page.getByText("Now run the tests").waitFor();
    // Presence is a heartbeat: beat until the reloaded page's socket hears one.
    await eventually("the reloaded page to see the agent working", async () => {
      agent.alive(true);
      return (await working.isVisible()) ? true : undefined;
    });
    expect(Number((await working.locator(".working-time").innerText()).split(" ")[0])).toBeGreaterThanOrEqual(2);
    // A fresh agent process reports 0 until its first result: the total stays.
    agent.socket.emit("usage-report", {
      key: "claude-session", sessionId: agent.sid,
      tokens: { total: 15, input: 10, output: 5, cache_creation: 0, cache_read: 0 }, cost: { total: 0, input: 0, output: 0 },
    });
    agent.alive(false);
    await working.waitFor({ state: "detached" });
    expect(await cost.innerText()).toBe("$0.05 so far");

    // Scrolled up, new messages do not pull the view down; the button goes to them.
    for (let i = 1; i <= 30; i++) await agent.say(`Step ${i} of a long answer.\n\nWith a second paragraph to take room.`);
    await page.getByText("Step 30 of a long answer.").waitFor();
    const messages = page.getByRole("log", { name: "Conversation" });
    const jump = page.getByRole("button", { name: "Jump to latest" });
    expect(await jump.count()).toBe(0);
    await messages.evaluate((el) => el.scrollTo({ top: 0 }));
    await jump.waitFor();
    await agent.say("The newest message.");
    const newest = page.getByText("The newest message.");
    await newest.waitFor();
    await page.getByRole("button", { name: "Jump to latest · 1 new" }).waitFor();
    expect(await newest.isVisible()).toBe(true);
    expect(await inView(newest)).toBe(false);
    await phone.shot("phone-app-jump-to-latest");
    await jump.click();
    await jump.waitFor({ state: "detached" });
    expect(await inView(newest)).toBe(true);

    // The total comes from the stored messages: a reload shows it again.
    await page.reload();
    await page.getByText("The newest message.").waitFor();
    await page.getByLabel("Session cost").getByText("$0.05 so far").waitFor();
    expect(phone.errors).toEqual([]);
  }, 60_000);

  browserTest("/ in the message box offers the slash commands Claude Code reported, without the terminal-only ones", async () => {
    using claude = fakeClaude();
    await using daemon = await startDaemon(claude.env);
    await using phone = await openPhone();
    const { page } = phone;
    await pair(phone, daemon);
    const directory = join(daemon.box.home, "work", "slashes");
    mkdirSync(directory, { recursive: true });
    await page.getByRole("button", { name: "New session" }).click();
    await page.getByLabel("Directory").fill(directory);
    await page.getByRole("button", { name: "Start session" }).click();
    await page.waitForURL(/\/s\/[^/]+\/[^/]+$/);

    const composer = page.getByLabel("Message to the agent");
    // Before the agent said which commands it has, / is only text.
    await composer.fill("/");
    expect(await page.getByRole("listbox", { name: "Slash commands" }).count()).toBe(0);
    await composer.fill("hello");
    await page.getByRole("button", { name: "Send message" }).click();
    await page.locator(".bubble.agent", { hasText: "echo: hello" }).waitFor();
    // The real runner's cost total, also after a reload.
    await page.getByLabel("Session cost").getByText("$0.0010 so far").waitFor();

    const list = page.getByRole("listbox", { name: "Slash commands" });
    await composer.fill("/");
    await list.waitFor();
    expect(await list.getByRole("option").allInnerTexts()).toEqual(["/compact", "/review", "/init"]);
    await composer.fill("/re");
    expect(await list.getByRole("option").allInnerTexts()).toEqual(["/review"]);
    await phone.shot("phone-app-slash-commands");
    await list.getByRole("button", { name: "/review" }).click();
    await list.waitFor({ state: "detached" });
    expect(await composer.inputValue()).toBe("/review ");

    await page.reload();
    await page.getByLabel("Session cost").getByText("$0.0010 so far").waitFor();
    expect(phone.errors).toEqual([]);
  }, 60_000);
});

/** Whether the element is inside the conversation's visible area, not scrolled away. */
function inView(locator: import("playwright-core").Locator): Promise<boolean> {
  return locator.evaluate((el) => {
    const box = el.getBoundingClientRect();
    const log = el.closest(".messages")!.getBoundingClientRect();
    return box.bottom > log.top && box.top < log.bottom;
  });
}
