import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "bun:test";
import { fakeAcpAgent } from "../helpers/acp.ts";
import { fakeClaude } from "../helpers/agent.ts";
import { startDaemon, type Daemon } from "../helpers/p2p.ts";
import { eventually } from "../helpers/sandbox.ts";
import { browserMissing, openFromList, openPhone, type Phone } from "./browser.ts";
import { fakeAgentSession } from "./fake-agent.ts";

// Real headless Chromium at a phone viewport against a real daemon from source.
const missing = browserMissing();
if (missing) console.warn(`skipping the phone app browser tests: ${missing}`);
const browserTest = missing ? test.skip : test;

async function qrUrl(daemon: Daemon): Promise<string> {
  const qr = await daemon.box.cli(["daemon", "qr", "--json"]);
  if (qr.code !== 0) throw new Error(`qr failed: ${qr.stderr}`);
  return JSON.parse(qr.stdout).url as string;
}

async function pair(phone: Phone, daemon: Daemon) {
  await phone.page.goto(await qrUrl(daemon));
  await phone.page.getByText("online", { exact: true }).waitFor();
}

/** Messages as the daemon stores them, decrypted: the ground truth for "nothing lost or doubled". */
async function history(daemon: Daemon, agent: { sid: string; cipher: { decrypt(c: string): unknown } }) {
  const page = await daemon.api(`/v1/sessions/${agent.sid}/messages?limit=1000`);
  const messages = (page.body.messages as Array<{ seq: number; content: { c: string } }>).sort((a, b) => a.seq - b.seq);
  return messages.map((m) => ({ seq: m.seq, plain: agent.cipher.decrypt(m.content.c) as any }));
}

describe("the phone app", () => {
  browserTest("pairs from the QR URL, spawns a session in a new directory, chats, answers permissions and aborts", async () => {
    // The picker offers only installed agents: this computer has (the fake) Claude Code.
    using claude = fakeClaude();
    await using daemon = await startDaemon(claude.env);
    await using phone = await openPhone();
    const { page } = phone;

    // Pairing: the secret leaves the address bar, the pairing stays in localStorage.
    await pair(phone, daemon);
    expect(page.url()).toBe(`${daemon.base}/`);
    const stored = await page.evaluate(() => localStorage.getItem("remcli.pairings.v1"));
    expect(JSON.parse(stored!)[0]).toMatchObject({ endpoint: daemon.base, key: expect.any(String) });
    await page.getByRole("status").filter({ hasText: "Paired with" }).waitFor();
    await phone.shot("01-machines");

    // A new session in a directory that does not exist: the app asks before creating it.
    const directory = join(daemon.box.home, "work", "brand-new");
    await page.getByRole("button", { name: "New session" }).click();
    await page.getByLabel("Directory").fill(directory);
    await page.getByRole("button", { name: "Start session" }).click();
    await page.getByRole("alertdialog", { name: "Create the directory?" }).waitFor();
    await phone.shot("02-create-directory");
    await page.getByRole("button", { name: "Create and start" }).click();
    await page.waitForURL(/\/s\/[^/]+\/[^/]+$/);
    expect(existsSync(directory)).toBe(true);
    await page.getByRole("heading", { name: "brand-new" }).waitFor();

    // A session whose agent the test plays appears in the live list without a reload.
    await page.getByRole("button", { name: "Back to sessions" }).click();
    const agent = await fakeAgentSession(daemon, { path: "/home/me/code/webapp", name: "Fix the login bug" });
    agent.alive(false);
    await page.getByRole("link", { name: /Open session Fix the login bug/ }).click();

    // Chat: the phone's message reaches the agent once; the reply renders as Markdown with a readable tool call.
    agent.onUserText(async (text) => {
      await agent.output({
        type: "assistant",
        message: {
          role: "assistant",
          model: "fake",
          content: [
            { type: "text", text: `You said **${text}**. Running the tests:` },
            { type: "tool_use", id: "tool-1", name: "Bash", input: { command: "bun test", description: "Run the tests" } },
          ],
        },
      });
      await agent.output({ type: "user", message: { role: "user", content: [{ type: "tool_result", tool_use_id: "tool-1", content: "12 pass\n0 fail" }] } });
      await agent.output({
        type: "assistant",
        message: {
          role: "assistant",
          model: "fake",
          content: [{ type: "tool_use", id: "tool-2", name: "Edit", input: { file_path: "src/login.ts", old_string: "a\nold line\nb", new_string: "a\nnew line\nb" } }],
        },
      });
      await agent.output({ type: "result", subtype: "success", total_cost_usd: 0.0123, duration_ms: 4200, is_error: false });
    });
    await page.getByLabel("Message to the agent").fill("hello agent");
    await page.getByRole("button", { name: "Send message" }).click();
    await page.locator(".bubble.agent strong", { hasText: "hello agent" }).waitFor();
    await page.getByText("Turn done · $0.01 · 4.2 s").waitFor();
    // Markdown from the agent never injects HTML: tags show as text, only http(s) links are links.
    await agent.say('Look: <img src=x onerror="window.pwned=1"> [run](javascript:window.pwned=1) [docs](https://example.com)');
    await page.getByText('<img src=x onerror="window.pwned=1">').waitFor();
    expect(await page.locator(".messages img").count()).toBe(0);
    expect(await page.locator('.messages a[href^="javascript"]').count()).toBe(0);
    expect(await page.locator('.messages a[href="https://example.com/"]').count()).toBe(1);
    expect(await page.evaluate(() => "pwned" in window)).toBe(false);
    await page.locator(".tool", { hasText: "bun test" }).locator("summary").click();
    await page.getByText("12 pass").waitFor();
    await page.locator(".tool", { hasText: "src/login.ts" }).locator("summary").click();
    await page.locator(".diff-added", { hasText: "new line" }).waitFor();
    await page.locator(".diff-removed", { hasText: "old line" }).waitFor();
    await phone.shot("03-conversation");
    expect(agent.heard).toEqual([
      { role: "user", content: { type: "text", text: "hello agent" }, localKey: expect.any(String), meta: { sentFrom: "web", permissionMode: "default" } },
    ]);

    // Permissions: two requests appear at once; one is allowed, the other denied with a reason.
    await agent.ask("perm-allow", "Bash", { command: "rm -rf build" });
    await agent.ask("perm-deny", "Write", { file_path: "/etc/hosts", content: "nope" });
    const allowCard = page.getByRole("region", { name: "Permission request: Bash" });
    const denyCard = page.getByRole("region", { name: "Permission request: Write" });
    await allowCard.waitFor();
    await denyCard.waitFor();
    await page.locator(".session .badge", { hasText: "needs approval" }).waitFor();
    await phone.shot("04-permissions");
    await allowCard.getByRole("button", { name: "Allow", exact: true }).click();
    await allowCard.waitFor({ state: "detached" });
    await denyCard.getByRole("button", { name: "Deny…" }).click();
    await denyCard.getByLabel("Reason for denying").fill("not that file");
    await denyCard.getByRole("button", { name: "Deny", exact: true }).click();
    await denyCard.waitFor({ state: "detached" });
    expect(agent.calls.filter((c) => c.method === "permission").map((c) => c.params)).toEqual([
      // _sentAt: when, by the daemon's clock (the daemon refuses old params as replays).
      { id: "perm-allow", approved: true, decision: "approved", _sentAt: expect.any(Number) },
      { id: "perm-deny", approved: false, decision: "denied", reason: "not that file", _sentAt: expect.any(Number) },
    ]);
    expect(agent.pendingRequests()).toEqual([]);

    // Abort: while the agent is thinking the phone can stop the turn.
    agent.alive(true);
    await page.locator(".session .badge", { hasText: "thinking" }).waitFor();
    await page.getByRole("button", { name: "Stop turn" }).click();
    await page.getByRole("status").filter({ hasText: "Turn stopped." }).waitFor();
    expect(agent.calls.filter((c) => c.method === "abort")).toEqual([{ method: "abort", params: { reason: expect.stringContaining("STOP"), _sentAt: expect.any(Number) } }]);

    await page.emulateMedia({ colorScheme: "dark" });
    await phone.shot("05-conversation-dark");
    expect(phone.errors).toEqual([]);
    // Long: a real session with its (fake) agent starts on the way, on a 2-core machine shared with others.
  }, 60_000);

  browserTest("the picker offers only the installed agents, and a Gemini session shows its replies, tool calls and permission card", async () => {
    using gemini = fakeAcpAgent("gemini");
    await using daemon = await startDaemon(gemini.env);
    await using phone = await openPhone();
    const { page } = phone;
    await pair(phone, daemon);

    await page.getByRole("button", { name: "New session" }).click();
    const picker = page.getByLabel("Agent");
    // Versions arrive once the daemon asked each agent.
    await picker.locator("option", { hasText: "Gemini CLI 9.9.9" }).waitFor({ state: "attached" });
    expect(await picker.locator("option").allInnerTexts()).toEqual(["Gemini CLI 9.9.9"]);
    const hints = page.getByRole("list", { name: "Agents not installed" });
    expect(await hints.getByRole("listitem").allInnerTexts()).toEqual([
      expect.stringContaining("Claude Code is not installed. Install it with `npm install -g @anthropic-ai/claude-code`"),
      expect.stringContaining("Codex is not installed. Install it with `npm install -g @openai/codex @agentclientprotocol/codex-acp`"),
      expect.stringContaining("opencode is not installed. Install it with `npm install -g opencode-ai`"),
    ]);
    await phone.shot("10-agent-picker");

    const directory = join(daemon.box.home, "work", "gemini-app");
    await page.getByLabel("Directory").fill(directory);
    await page.getByRole("button", { name: "Start session" }).click();
    await page.getByRole("alertdialog", { name: "Create the directory?" }).waitFor();
    await page.getByRole("button", { name: "Create and start" }).click();
    await page.getByRole("heading", { name: "gemini-app" }).waitFor();

    const composer = page.getByLabel("Message to the agent");
    await composer.fill("hello gemini");
    await page.getByRole("button", { name: "Send message" }).click();
    await page.locator(".bubble.agent", { hasText: "echo: hello gemini" }).waitFor();

    // A tool that needs permission: its card, then the call with its output once allowed.
    await composer.fill("run a tool");
    await page.getByRole("button", { name: "Send message" }).click();
    const card = page.getByRole("region", { name: "Permission request: Bash" });
    await card.waitFor();
    await card.getByText("ls -la").first().waitFor();
    await phone.shot("11-gemini-permission");
    await card.getByRole("button", { name: "Allow", exact: true }).click();
    await card.waitFor({ state: "detached" });
    await page.locator(".bubble.agent", { hasText: "Done." }).waitFor();
    const tool = page.locator(".tool", { hasText: "ls -la" });
    await tool.locator(".tool-state", { hasText: "done" }).waitFor();
    await tool.locator("summary").click();
    await tool.getByText("ran ls -la (once)").waitFor();

    // A plan is a todo list; a thought is folded away.
    await composer.fill("plan it");
    await page.getByRole("button", { name: "Send message" }).click();
    await page.locator(".bubble.agent", { hasText: "Planned." }).waitFor();
    await page.locator(".tool", { hasText: "TodoWrite" }).locator("summary").click();
    await page.locator(".todos li", { hasText: "Write the fix" }).waitFor();
    await phone.shot("12-gemini-conversation");

    await page.getByRole("button", { name: "Back to sessions" }).click();
    // Named by its directory until the list has read its first request.
    await page.getByRole("link", { name: /Open session (gemini-app|hello gemini)/ }).getByText(/Gemini CLI ·/).waitFor();
    expect(await page.locator(".event.error").count()).toBe(0);
    expect(phone.errors).toEqual([]);
  }, 60_000);

  browserTest("kill -9 and restart of the daemon mid-session: the conversation goes on with nothing lost or doubled", async () => {
    await using daemon = await startDaemon();
    await using phone = await openPhone();
    const { page } = phone;
    await pair(phone, daemon);
    const agent = await fakeAgentSession(daemon, { path: "/work/restart", name: "Long task" });
    agent.alive(true);
    for (let i = 1; i <= 3; i++) await agent.say(`before crash ${i}`);
    await openFromList(page, /Open session Long task/);
    await page.getByText("before crash 3").waitFor();

    process.kill(daemon.pid, "SIGKILL");
    await page.getByText("Reconnecting…").or(page.getByText(/Can't reach the daemon/)).first().waitFor();
    // Typed while the daemon is down: queued, shown as sending, delivered once later.
    await page.getByLabel("Message to the agent").fill("sent while offline");
    await page.getByRole("button", { name: "Send message" }).click();
    await page.locator(".bubble.pending", { hasText: "sent while offline" }).waitFor();
    await phone.shot("06-offline");

    await daemon.restart();
    // The agent reconnects by itself and keeps writing, maybe before the phone is back.
    await eventually("the agent to reconnect", () => (agent.socket.connected ? true : undefined));
    for (let i = 1; i <= 3; i++) await agent.say(`after restart ${i}`);
    await page.getByText("after restart 3").waitFor({ timeout: 15_000 });
    await page.locator(".bubble.user:not(.pending)", { hasText: "sent while offline" }).waitFor();

    const stored = await history(daemon, agent);
    expect(stored.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const texts = stored.map((m) => (m.plain.role === "user" ? m.plain.content.text : m.plain.content.data.message.content[0].text));
    expect(texts.filter((t) => t === "sent while offline")).toHaveLength(1);
    // On screen: each stored message exactly once, in seq order.
    const shown = await page.locator(".bubble").allInnerTexts();
    expect(shown.map((t) => t.split("\n")[0]!.trim())).toEqual([
      "before crash 1",
      "before crash 2",
      "before crash 3",
      ...texts.slice(3),
    ]);
    expect(texts.slice(3).sort()).toEqual(["after restart 1", "after restart 2", "after restart 3", "sent while offline"].sort());
    await phone.shot("07-after-restart");

    // A reload straight onto the session's page (its own URL) shows the same conversation.
    await page.reload();
    await page.getByText("after restart 3").waitFor();
    expect(await page.locator(".bubble").count()).toBe(7);
    expect(await page.locator(".event.error").count()).toBe(0);
    // A daemon restart and two reconnects: 3.5 s here, but one loaded CI run passed bun's
    // 30 s default with no wait of its own timing out first. Each wait above has its own.
  }, 60_000);

  browserTest("qr --rotate shows the re-pair screen, and scanning the new QR pairs again", async () => {
    await using daemon = await startDaemon();
    await using phone = await openPhone();
    const { page } = phone;
    await pair(phone, daemon);

    const rotated = await daemon.box.cli(["daemon", "qr", "--rotate", "--json"]);
    expect(rotated.code).toBe(0);
    await page.getByRole("heading", { name: "This pairing no longer works" }).waitFor();
    await page.getByText("remcli daemon qr --rotate", { exact: false }).first().waitFor();
    await phone.shot("08-rotated");

    await page.goto(JSON.parse(rotated.stdout).url);
    await page.getByText("online", { exact: true }).waitFor();
    expect(await page.getByRole("heading", { name: "This pairing no longer works" }).count()).toBe(0);
    const pairings = JSON.parse((await page.evaluate(() => localStorage.getItem("remcli.pairings.v1")))!);
    expect(pairings).toHaveLength(1);

    // The daemon stops while the page is open: it says what happened and what to do, not a spinner.
    expect((await daemon.box.cli(["daemon", "stop"])).code).toBe(0);
    await page.getByText("offline", { exact: true }).waitFor();
    await page.getByText(`Can't reach the daemon at 127.0.0.1:${daemon.port}.`).waitFor({ timeout: 10_000 });
    await page.getByRole("status").getByText("remcli daemon start").waitFor();
    await phone.shot("09-unreachable");
  });
});
