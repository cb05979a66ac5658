import { describe, expect, test } from "bun:test";
import { startDaemon } from "../helpers/p2p.ts";
import { eventually } from "../helpers/sandbox.ts";
import { browserMissing, openPhone } from "./browser.ts";
import { fakeAgentSession, type FakeAgent } from "./fake-agent.ts";
import { pair, storedPairings } from "./pair.ts";

// The home screen's session list in real Chromium against a real daemon.
const missing = browserMissing();
if (missing) console.warn(`skipping the session list browser tests: ${missing}`);
const browserTest = missing ? test.skip : test;

/** Writes a message as the session process would: text typed in its terminal, or a session event. */
async function write(agent: FakeAgent, plaintext: unknown) {
  const ack = await agent.socket.timeout(5_000).emitWithAck("message", { sid: agent.sid, message: agent.cipher.encrypt(plaintext), localId: crypto.randomUUID() });
  if (!ack.ok) throw new Error(`message refused: ${ack.error}`);
}
const typed = (text: string) => ({ role: "user", content: { type: "text", text }, meta: { sentFrom: "cli" } });
const event = (message: string) => ({ role: "agent", content: { type: "event", id: crypto.randomUUID(), data: { type: "message", message } }, meta: { sentFrom: "cli" } });

describe("the session list", () => {
  browserTest("each row has a name, directory, agent, state and latest line; approval first; search, rename, archive and delete", async () => {
    await using daemon = await startDaemon();
    await using phone = await openPhone();
    const { page } = phone;

    const approval = await fakeAgentSession(daemon, { path: "/home/me/code/docs", name: "Refactor the docs" });
    await approval.say("I need to clear the old build first.");
    await approval.ask("perm-1", "Bash", { command: "rm -rf site" });
    const ended = await fakeAgentSession(daemon, { path: "/home/me/code/old", name: "Old experiment" });
    await write(ended, event("Claude Code stopped unexpectedly: exit code 1"));
    ended.socket.emit("session-end", { sid: ended.sid, time: Date.now() });
    const unnamed = await fakeAgentSession(daemon, { path: "/home/me/code/api" });
    await write(unnamed, typed("Add pagination to the users endpoint"));
    await unnamed.say("Done: /users takes ?page= now.");
    unnamed.alive(false);
    const named = await fakeAgentSession(daemon, { path: "/home/me/code/webapp", name: "Fix the login bug" });
    await named.say("The login form now **validates** emails.");

    await pair(phone, daemon);
    named.alive(true);
    const rows = page.locator(".session-row");
    const row = (name: string) => page.locator(".session-row", { has: page.getByRole("link", { name: new RegExp(`^Open session ${name}`) }) });
    // The one waiting for an answer first, then by last activity; the unnamed one by its first request.
    await eventually("every row with its latest line", async () => ((await page.locator(".session-preview").count()) === 4 ? true : undefined));
    expect(await rows.locator(".session-title").allInnerTexts()).toEqual([
      "Refactor the docs",
      "Fix the login bug",
      "Add pagination to the users endpoint",
      "Old experiment",
    ]);
    expect(await rows.locator(".badge").allInnerTexts()).toEqual(["needs approval", "thinking", "idle", "ended"]);
    await row("Fix the login bug").getByText("The login form now validates emails.").waitFor();
    await row("Fix the login bug").getByText("~/code/webapp").waitFor();
    await row("Fix the login bug").getByText(/Claude Code · just now/).waitFor();
    await row("Add pagination").getByText("Done: /users takes ?page= now.").waitFor();
    await row("Old experiment").getByText("Claude Code stopped unexpectedly: exit code 1").waitFor();
    await phone.shot("sessions-01-list");

    // A new message moves its session's line and order, live.
    await named.say("Also added a test for it.");
    await row("Fix the login bug").getByText("Also added a test for it.").waitFor();

    // Search: by name, by directory, by the latest line; every word must match.
    const search = page.getByLabel("Search sessions");
    const titles = () => rows.locator(".session-title").allInnerTexts();
    await search.fill("webapp");
    await eventually("the search by directory", async () => ((await titles()).join() === "Fix the login bug" ? true : undefined));
    await search.fill("PAGE");
    await eventually("the search by latest line", async () => ((await titles()).join() === "Add pagination to the users endpoint" ? true : undefined));
    await search.fill("refactor docs");
    await eventually("the search by name", async () => ((await titles()).join() === "Refactor the docs" ? true : undefined));
    await search.fill("nothing like this");
    await page.getByText("No session matches “nothing like this”.").waitFor();
    await search.fill("code");
    await phone.shot("sessions-02-search");
    await search.fill("");

    // Its page has the same name as its row.
    await page.getByRole("link", { name: /^Open session Add pagination/ }).click();
    await page.getByRole("heading", { name: "Add pagination to the users endpoint" }).waitFor();
    await page.getByRole("button", { name: "Back to sessions" }).click();

    // Rename: stored in the session's encrypted metadata, kept over a reload.
    await page.getByLabel("Actions for Add pagination to the users endpoint").click();
    await page.getByRole("button", { name: "Rename…" }).click();
    await page.getByLabel("Session name").fill("Users paging");
    await page.getByRole("button", { name: "Save" }).click();
    await row("Users paging").waitFor();
    const stored = async (agent: FakeAgent) => {
      const session = ((await daemon.api("/v1/sessions")).body.sessions as Array<{ id: string; metadata: string }>).find((s) => s.id === agent.sid);
      return session ? (agent.cipher.decrypt(session.metadata) as Record<string, unknown>) : null;
    };
    expect(await stored(unnamed)).toMatchObject({ name: "Users paging", path: "/home/me/code/api", machineId: expect.any(String) });
    await page.reload();
    await row("Users paging").waitFor();

    // Archive and delete: offered for an ended session only.
    await page.getByLabel("Actions for Fix the login bug").click();
    expect(await page.getByRole("button", { name: "Archive" }).count()).toBe(0);
    await page.getByLabel("Actions for Fix the login bug").click();
    await page.getByLabel("Actions for Old experiment").click();
    await page.getByRole("button", { name: "Archive" }).click();
    await row("Old experiment").waitFor({ state: "detached" });
    expect(await stored(ended)).toMatchObject({ archivedAt: expect.any(Number) });
    await page.getByRole("button", { name: "Archived (1)" }).click();
    await row("Old experiment").waitFor();
    await page.getByLabel("Actions for Old experiment").click();
    await page.getByRole("button", { name: "Delete…" }).click();
    await page.getByRole("alertdialog", { name: "Delete Old experiment?" }).waitFor();
    await phone.shot("sessions-03-delete");
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    await row("Old experiment").waitFor({ state: "detached" });
    expect(await stored(ended)).toBeNull();
    // Nothing of it stays on the phone: not its latest line, nor its row for an offline reload.
    const [pairing] = await storedPairings(phone);
    const kept = await page.evaluate((id) => [localStorage.getItem(`remcli.notes.${id}`) ?? "", localStorage.getItem(`remcli.snapshot.${id}`) ?? ""], pairing!.id);
    expect(kept[0]).toContain(unnamed.sid);
    expect(kept[1]).toContain(unnamed.sid);
    expect(kept[0]).not.toContain(ended.sid);
    expect(kept[0]).not.toContain("Claude Code stopped unexpectedly");
    expect(kept[1]).not.toContain(ended.sid);
    expect(phone.errors).toEqual([]);
  }, 60_000);
});
