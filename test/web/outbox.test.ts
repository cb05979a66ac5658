import { describe, expect, test } from "bun:test";
import { startDaemon } from "../helpers/p2p.ts";
import { eventually } from "../helpers/sandbox.ts";
import { browserMissing, openPhone } from "./browser.ts";
import { fakeAgentSession } from "./fake-agent.ts";
import { foreignSession, pair, storedPairings } from "./pair.ts";

// The phone's send queue in real Chromium against a real daemon: one line per session.
const missing = browserMissing();
if (missing) console.warn(`skipping the outbox browser tests: ${missing}`);
const browserTest = missing ? test.skip : test;

const userTexts = (heard: unknown[]) =>
  heard.map((m) => (m as { role: string; content: { text?: string } })).filter((m) => m.role === "user").map((m) => m.content.text);

describe("the phone's outbox", () => {
  browserTest("a message to a session this phone cannot read fails with its reason, and another session's message still goes", async () => {
    await using daemon = await startDaemon();
    await using phone = await openPhone();
    const { page } = phone;
    const broken = await foreignSession(daemon, "/work/old");
    const agent = await fakeAgentSession(daemon, { path: "/work/healthy", name: "Healthy session" });
    agent.alive(false);
    await pair(phone, daemon);
    const [pairing] = await storedPairings(phone);

    await page.goto(`${daemon.base}/s/${pairing!.id}/${broken}`);
    await page.getByLabel("Message to the agent").fill("to the unreadable one");
    await page.getByRole("button", { name: "Send message" }).click();
    const failed = page.locator(".bubble.failed", { hasText: "to the unreadable one" });
    await failed.getByText("Not delivered: this phone cannot read this session").waitFor();
    await phone.shot("outbox-01-failed");

    await page.getByRole("button", { name: "Back to sessions" }).click();
    await page.getByRole("link", { name: /Open session Healthy session/ }).click();
    await page.getByLabel("Message to the agent").fill("to the healthy one");
    await page.getByRole("button", { name: "Send message" }).click();
    await page.locator(".bubble.user:not(.pending)", { hasText: "to the healthy one" }).waitFor();
    await eventually("the agent to hear it", () => (userTexts(agent.heard).includes("to the healthy one") ? true : undefined));
    // Nothing reached the unreadable session; its message stays on the phone, with its reason.
    expect((await daemon.api(`/v1/sessions/${broken}/messages`)).body.messages).toEqual([]);
    const outbox = JSON.parse((await page.evaluate((id) => localStorage.getItem(`remcli.outbox.${id}`), pairing!.id))!);
    expect(outbox).toEqual([expect.objectContaining({ sid: broken, text: "to the unreadable one", error: expect.stringContaining("cannot read") })]);
    expect(phone.errors).toEqual([]);
  }, 60_000);

  browserTest("a message queued while the daemon is down can be cancelled; the one kept is delivered once it is back", async () => {
    await using daemon = await startDaemon();
    await using phone = await openPhone();
    const { page } = phone;
    const agent = await fakeAgentSession(daemon, { path: "/work/queue", name: "Queue" });
    agent.alive(false);
    await pair(phone, daemon);
    await page.getByRole("link", { name: /Open session Queue/ }).click();
    await page.getByText("Start of the conversation").waitFor();

    process.kill(daemon.pid, "SIGKILL");
    await page.getByText("Reconnecting…").or(page.getByText(/Can't reach the daemon/)).first().waitFor();
    const composer = page.getByLabel("Message to the agent");
    for (const text of ["keep this one", "cancel this one"]) {
      await composer.fill(text);
      await page.getByRole("button", { name: "Send message" }).click();
      await page.locator(".bubble.pending", { hasText: text }).waitFor();
    }
    await phone.shot("outbox-02-queued");
    await page.getByRole("button", { name: "Cancel sending: cancel this one" }).click();
    await page.locator(".bubble", { hasText: "cancel this one" }).waitFor({ state: "detached" });

    await daemon.restart();
    await eventually("the agent to reconnect", () => (agent.socket.connected ? true : undefined));
    await page.locator(".bubble.user:not(.pending)", { hasText: "keep this one" }).waitFor({ timeout: 15_000 });
    const stored = (await daemon.api(`/v1/sessions/${agent.sid}/messages`)).body.messages as Array<{ content: { c: string } }>;
    expect(stored.map((m) => (agent.cipher.decrypt(m.content.c) as { content: { text: string } }).content.text)).toEqual(["keep this one"]);
    expect(await page.locator(".bubble", { hasText: "cancel this one" }).count()).toBe(0);
  }, 60_000);

  browserTest("with the phone's storage full, a message is still sent (kept in memory until it is acknowledged) and the app still connects after a reload", async () => {
    await using daemon = await startDaemon();
    await using phone = await openPhone();
    const { page } = phone;
    const agent = await fakeAgentSession(daemon, { path: "/work/full", name: "Full storage" });
    agent.alive(false);
    await pair(phone, daemon);
    await page.getByRole("link", { name: /Open session Full storage/ }).click();
    await page.getByText("Start of the conversation").waitFor();

    // Other pages of this origin (or remembered lists and previews) can fill localStorage.
    const filled = await page.evaluate(() => {
      // What the app remembers of its own (the address that answered) has to find room again.
      for (const key of Object.keys(localStorage)) if (key.startsWith("remcli.reach.")) localStorage.removeItem(key);
      let chunk = "x".repeat(1 << 20);
      let n = 0;
      while (chunk.length > 0) {
        try {
          localStorage.setItem(`filler-${n++}`, chunk);
        } catch {
          chunk = chunk.slice(0, chunk.length >> 1);
        }
      }
      try {
        localStorage.setItem("probe", "a longer value than what is left");
        return false;
      } catch {
        return true;
      }
    });
    expect(filled).toBe(true);
    await page.getByLabel("Message to the agent").fill("sent with storage full");
    await page.getByRole("button", { name: "Send message" }).click();
    await eventually("the agent to hear it", () => (userTexts(agent.heard).includes("sent with storage full") ? true : undefined));
    await page.locator(".bubble.user:not(.pending)", { hasText: "sent with storage full" }).waitFor();
    // And the app still connects, lists and reads after a reload with its storage full.
    await page.goto(daemon.base);
    await page.getByText("online", { exact: true }).waitFor({ timeout: 10_000 });
    await page.getByRole("link", { name: /Open session Full storage/ }).click();
    await page.locator(".bubble.user", { hasText: "sent with storage full" }).waitFor({ timeout: 10_000 });
    expect(phone.errors).toEqual([]);
  }, 60_000);
});
