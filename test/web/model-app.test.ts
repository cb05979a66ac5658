import { describe, expect, test } from "bun:test";
import { fakeClaude, spawnFromPhone } from "../helpers/agent.ts";
import { startDaemon } from "../helpers/p2p.ts";
import { eventually } from "../helpers/sandbox.ts";
import { browserMissing, openPhone } from "./browser.ts";

// Real headless Chromium at a phone viewport against a real daemon and the fake Claude Code.
const missing = browserMissing();
if (missing) console.warn(`skipping the model picker browser test: ${missing}`);
const browserTest = missing ? test.skip : test;

describe("the model picker", () => {
  browserTest("offers the models Claude Code reports; the choice reaches the agent and is kept for the session", async () => {
    using claude = fakeClaude();
    await using daemon = await startDaemon(claude.env);
    const { session } = await spawnFromPhone(daemon, "models");
    await using phone = await openPhone();
    const { page } = phone;
    await page.goto(JSON.parse((await daemon.box.cli(["daemon", "qr", "--json"])).stdout).url);
    await page.getByText("online", { exact: true }).waitFor();
    await page.getByRole("link", { name: /Open session models/ }).click();

    // The session wrote the models its Claude Code accepts into its metadata.
    const picker = page.getByLabel("Model");
    await eventually("the reported models", async () => ((await picker.locator("option").allInnerTexts()).includes("Haiku") ? true : undefined));
    expect(await picker.locator("option").allInnerTexts()).toEqual(["Default (recommended)", "Opus", "Haiku"]);
    expect((await session.state()).metadata.models.map((m: { value: string }) => m.value)).toEqual(["default", "opus", "haiku"]);

    // Nothing picked: the message carries no model and the agent is not switched.
    await page.getByLabel("Message to the agent").fill("first");
    await page.getByRole("button", { name: "Send message" }).click();
    await page.getByText("echo: first").waitFor();
    expect(claude.received().filter((r) => r.type === "model")).toEqual([]);

    await picker.selectOption("opus");
    await page.getByLabel("Message to the agent").fill("second");
    await page.getByRole("button", { name: "Send message" }).click();
    await page.getByText("echo: second").waitFor();
    expect(claude.received().filter((r) => r.type === "model")).toEqual([{ type: "model", model: "opus" }]);
    const answer = (await session.history()).findLast((m) => m.body?.content?.data?.type === "assistant");
    expect(answer!.body.content.data.message.model).toBe("opus");
    await phone.shot("model-picker");

    // Kept on this phone for the session; "Default" hands the choice back to Claude Code.
    await page.reload();
    await page.getByText("echo: second").waitFor();
    expect(await page.getByLabel("Model").inputValue()).toBe("opus");
    await page.getByLabel("Model").selectOption("default");
    await page.getByLabel("Message to the agent").fill("third");
    await page.getByRole("button", { name: "Send message" }).click();
    await page.getByText("echo: third").waitFor();
    expect(claude.received().filter((r) => r.type === "model")).toEqual([{ type: "model", model: "opus" }, { type: "model", model: null }]);
    expect(phone.errors).toEqual([]);
  });

  browserTest("a model picked for a new session is applied before its first turn", async () => {
    using claude = fakeClaude();
    await using daemon = await startDaemon(claude.env);
    await using phone = await openPhone();
    const { page } = phone;
    await page.goto(JSON.parse((await daemon.box.cli(["daemon", "qr", "--json"])).stdout).url);
    await page.getByText("online", { exact: true }).waitFor();
    await page.getByRole("button", { name: "New session" }).click();
    await page.getByLabel("Directory").fill(daemon.box.home);
    await page.getByRole("combobox", { name: "Model" }).selectOption("haiku");
    await page.getByRole("button", { name: "Start session" }).click();
    await page.waitForURL(/\/s\/[^/]+\/[^/]+$/);
    expect(await page.getByLabel("Model").inputValue()).toBe("haiku");
    await page.getByLabel("Message to the agent").fill("hello haiku");
    await page.getByRole("button", { name: "Send message" }).click();
    await page.getByText("echo: hello haiku").waitFor({ timeout: 15_000 });
    expect(claude.received().filter((r) => r.type === "model")).toEqual([{ type: "model", model: "haiku" }]);
    expect(phone.errors).toEqual([]);
  });
});
