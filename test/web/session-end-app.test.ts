import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "bun:test";
import { fakeAcpAgent } from "../helpers/acp.ts";
import { eventOf, fakeClaude, outputOf, spawnFromPhone } from "../helpers/agent.ts";
import { startDaemon } from "../helpers/p2p.ts";
import { eventually } from "../helpers/sandbox.ts";
import { childRows, machineRpc } from "../helpers/sessions.ts";
import { browserMissing, openPhone } from "./browser.ts";

// Real headless Chromium at a phone viewport against a real daemon and the fake Claude Code.
const missing = browserMissing();
if (missing) console.warn(`skipping the session end browser test: ${missing}`);
const browserTest = missing ? test.skip : test;

describe("a session ends honestly", () => {
  browserTest("a denied tool reads 'denied', and a stop from the phone says so instead of a crash", async () => {
    using claude = fakeClaude();
    await using daemon = await startDaemon(claude.env);
    const { phone: socket, sessionId, session } = await spawnFromPhone(daemon, "honest");
    await using phone = await openPhone();
    const { page } = phone;
    await page.goto(JSON.parse((await daemon.box.cli(["daemon", "qr", "--json"])).stdout).url);
    await page.getByText("online", { exact: true }).waitFor();
    await page.getByRole("link", { name: /Open session honest/ }).click();

    await page.getByLabel("Message to the agent").fill("please run a tool");
    await page.getByRole("button", { name: "Send message" }).click();
    const card = page.getByRole("region", { name: "Permission request: Bash" });
    await card.getByRole("button", { name: "Deny…" }).click();
    await card.getByLabel("Reason for denying").fill("not now");
    await card.getByRole("button", { name: "Deny", exact: true }).click();
    await page.getByText("I will not run it.").waitFor();
    const tool = page.locator(".tool", { hasText: "ls" });
    expect(await tool.locator(".tool-state").innerText()).toBe("denied");
    expect(await page.locator(".tool-error").count()).toBe(0);

    // The phone's Stop (the machine RPC the app calls).
    await machineRpc(daemon, socket, "stop-session", { sessionId });
    await page.getByText("Stopped from the phone").waitFor();
    expect(await page.getByText(/stopped unexpectedly/i).count()).toBe(0);
    await phone.shot("session-end");

    const history = await session.history();
    expect(history.filter((m) => eventOf(m)?.message === "Stopped from the phone")).toHaveLength(1);
    expect(history.some((m) => /unexpectedly/.test(String(eventOf(m)?.message ?? "")))).toBe(false);
    const denied = history.find((m) => outputOf(m)?.type === "user");
    expect(outputOf(denied!).message.content[0]).toMatchObject({ is_error: true, permissions: { result: "denied" } });
    await eventually("the end to be recorded", async () => (childRows(daemon.box).find((r) => r.sessionId === sessionId)?.endedAt ? true : undefined));
    expect(childRows(daemon.box).find((r) => r.sessionId === sessionId)?.endReason).toBe("stopped from the phone");
    // The session closed its agent itself; a signal to the agent is what read as a crash.
    expect(claude.received().filter((r) => r.type === "signal")).toEqual([]);
    expect(phone.errors).toEqual([]);
  });

  browserTest("an ACP agent's tool the phone denied reads 'denied' too (from the agent state)", async () => {
    using gemini = fakeAcpAgent("gemini");
    await using daemon = await startDaemon(gemini.env);
    const socket = await daemon.connect();
    const directory = join(daemon.box.home, "work", "acp-deny");
    mkdirSync(directory, { recursive: true });
    const spawned = await machineRpc(daemon, socket, "spawn-remcli-session", { type: "spawn-in-directory", directory, agent: "gemini" });
    expect(spawned.type).toBe("success");
    await using phone = await openPhone();
    const { page } = phone;
    await page.goto(JSON.parse((await daemon.box.cli(["daemon", "qr", "--json"])).stdout).url);
    await page.getByText("online", { exact: true }).waitFor();
    await page.getByRole("link", { name: /Open session acp-deny/ }).click();
    await page.getByLabel("Message to the agent").fill("please run a tool");
    await page.getByRole("button", { name: "Send message" }).click();
    const card = page.locator(".permission").first();
    await card.getByRole("button", { name: "Deny…" }).click();
    await card.getByRole("button", { name: "Deny", exact: true }).click();
    await page.locator(".tool .tool-state", { hasText: "denied" }).waitFor();
    expect(await page.locator(".tool-error").count()).toBe(0);
    expect(phone.errors).toEqual([]);
  });
});
