import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { fakeClaude, spawnFromPhone, type FakeClaude } from "../helpers/agent.ts";
import { startDaemon, type Daemon } from "../helpers/p2p.ts";
import { browserMissing, openPhone, type Phone } from "./browser.ts";
import { fakeAgentSession } from "./fake-agent.ts";

// The phone app's Changes, Files and @-mentions in headless Chromium, against real session
// processes (the fake claude) in a real git repository: the RPCs are the real ones.

const missing = browserMissing();
if (missing) console.warn(`skipping the files browser tests: ${missing}`);
const browserTest = missing ? test.skip : test;
const SLOW = 60_000;

const git = (cwd: string, ...args: string[]) => {
  const ran = Bun.spawnSync(["git", "-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  if (ran.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${ran.stderr.toString()}`);
};
const APP_TS = "export function greet(name: string): string {\n  const greeting = `Hello, ${name}`;\n  return greeting;\n}\n";
const BIG_LINES = 6_000;
const UNTRACKED = "todo $(touch pwned).txt";

/** A repository with one change of each kind: staged (and a staged rename), unstaged, untracked. */
function makeRepo(directory: string) {
  mkdirSync(join(directory, "src"), { recursive: true });
  writeFileSync(join(directory, "src", "app.ts"), APP_TS);
  writeFileSync(join(directory, "notes.md"), "# Notes\nfirst line\n");
  writeFileSync(join(directory, "old-name.txt"), "moved\n".repeat(4));
  writeFileSync(join(directory, "binary.bin"), new Uint8Array([0, 1, 2, 3, 0, 255, 254, 7, 8, 9, 10, 11]));
  writeFileSync(join(directory, "big.log"), Array.from({ length: BIG_LINES }, (_, i) => `log line ${i + 1} ${"x".repeat(90)}`).join("\n") + "\n");
  git(directory, "init", "-q", "-b", "main");
  git(directory, "add", ".");
  git(directory, "commit", "-q", "-m", "start");
  writeFileSync(join(directory, "src", "app.ts"), APP_TS.replace("return greeting;", "return greeting.toUpperCase();"));
  git(directory, "add", "src/app.ts");
  git(directory, "mv", "old-name.txt", "new-name.txt");
  writeFileSync(join(directory, "notes.md"), "# Notes\nfirst line\nsecond line\n");
  writeFileSync(join(directory, UNTRACKED), "remember\n");
}

let claude: FakeClaude;
let daemon: Daemon;
let phone: Phone;
let page: Page;
let repo: Awaited<ReturnType<typeof spawnFromPhone>>;
let pairingId: string;
const sessionUrl = (sid: string, rest = "") => `${daemon.base}/s/${pairingId}/${sid}${rest}`;

beforeAll(async () => {
  if (missing) return;
  claude = fakeClaude();
  daemon = await startDaemon(claude.env);
  makeRepo(join(daemon.box.home, "work", "project"));
  repo = await spawnFromPhone(daemon, "project");
  phone = await openPhone();
  page = phone.page;
  const qr = await daemon.box.cli(["daemon", "qr", "--json"]);
  await page.goto(JSON.parse(qr.stdout).url as string);
  await page.getByText("online", { exact: true }).waitFor();
  pairingId = await page.evaluate(() => JSON.parse(localStorage.getItem("remcli.pairings.v1")!)[0].id as string);
}, SLOW);

afterAll(async () => {
  await phone?.[Symbol.asyncDispose]();
  repo?.phone.close();
  await daemon?.[Symbol.asyncDispose]();
  claude?.[Symbol.dispose]();
});

/** A finger dragging down from the top of an element, as a phone's touch screen sends it. */
async function pullDown(selector: string) {
  const box = (await page.locator(selector).boundingBox())!;
  const cdp = await page.context().newCDPSession(page);
  const x = box.x + box.width / 2;
  const y = box.y + 20;
  await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [{ x, y }] });
  for (let step = 1; step <= 6; step++) await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [{ x, y: y + step * 25 }] });
  await page.getByText("Release to refresh").waitFor();
  await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
  await cdp.detach();
}

describe("Changes", () => {
  browserTest("lists staged, unstaged and untracked files with the branch, and each opens to its diff with line numbers", async () => {
    await page.goto(sessionUrl(repo.sessionId));
    await page.getByRole("link", { name: "Changes, 4 files" }).click();
    await page.getByLabel("Branch").getByText("main").waitFor();
    await expect(page.getByLabel("Branch").innerText()).resolves.toContain("no upstream");
    const group = (name: string) => page.getByRole("region", { name });
    await group("Staged").getByRole("link", { name: "src/app.ts, modified" }).waitFor();
    expect(await group("Staged").getByRole("link", { name: "new-name.txt, renamed" }).innerText()).toContain("from old-name.txt");
    await group("Not staged").getByRole("link", { name: "notes.md, modified" }).waitFor();
    await group("Untracked").getByRole("link", { name: `${UNTRACKED}, untracked` }).waitFor();
    await phone.shot("files-01-changes");

    await group("Staged").getByRole("link", { name: "src/app.ts, modified" }).click();
    const removed = page.locator(".diff-line.diff-removed");
    await removed.waitFor();
    expect(await removed.innerText()).toMatch(/^3\s+−\s+return greeting;$/);
    expect(await page.locator(".diff-line.diff-added").innerText()).toMatch(/^3\s+\+\s+return greeting\.toUpperCase\(\);$/);
    expect(await page.getByLabel("Lines changed").innerText()).toBe("+1 −1");
    await phone.shot("files-02-diff");

    await page.goBack();
    await group("Untracked").getByRole("link", { name: `${UNTRACKED}, untracked` }).click();
    await page.getByText("new file").waitFor();
    expect(await page.locator(".diff-line.diff-added").innerText()).toMatch(/^1\s+\+\s+remember$/);
    // The name went to git as one quoted argument, never run by the shell.
    expect(existsSync(join(repo.directory, "pwned"))).toBe(false);
    expect(phone.errors).toEqual([]);
  }, SLOW);

  browserTest("refresh themselves when the agent finishes a turn, and on a pull or the refresh button", async () => {
    await page.goto(sessionUrl(repo.sessionId, "/changes"));
    await page.getByRole("region", { name: "Untracked" }).waitFor();
    writeFileSync(join(repo.directory, "by-the-agent.txt"), "new\n");
    await repo.session.send("hello");
    await page.getByRole("link", { name: "by-the-agent.txt, untracked" }).waitFor();

    writeFileSync(join(repo.directory, "pulled.txt"), "new\n");
    await pullDown(".pull-area");
    await page.getByRole("link", { name: "pulled.txt, untracked" }).waitFor();

    writeFileSync(join(repo.directory, "button.txt"), "new\n");
    await page.getByRole("button", { name: "Refresh changes" }).click();
    await page.getByRole("link", { name: "button.txt, untracked" }).waitFor();
    await page.getByRole("link", { name: "Changes, 7 files" }).waitFor();
  }, SLOW);

  browserTest("a directory outside any git repository says so and offers the file browser", async () => {
    const plain = await spawnFromPhone(daemon, "not-a-repo");
    try {
      writeFileSync(join(plain.directory, "readme.txt"), "plain folder\n");
      await page.goto(sessionUrl(plain.sessionId, "/changes"));
      await page.getByRole("heading", { name: "Not a git repository" }).waitFor();
      await phone.shot("files-03-not-a-repository");
      await page.getByRole("link", { name: "Browse the files" }).click();
      await page.getByRole("link", { name: "readme.txt, file" }).waitFor();
    } finally {
      plain.phone.close();
    }
  }, SLOW);
});

describe("Files", () => {
  browserTest("browse the folders, open a file highlighted, a binary file named, a large file a page at a time", async () => {
    await page.goto(sessionUrl(repo.sessionId));
    await page.getByRole("link", { name: "Files", exact: true }).click();
    const listing = page.getByLabel("Folder contents");
    await listing.getByRole("link", { name: "binary.bin, file" }).waitFor();
    // Folders first, then files, each by name.
    const names = (await listing.getByRole("link").allInnerTexts()).map((text) => text.split("\n")[1]!.trim());
    expect(names.slice(0, 2)).toEqual([".git/", "src/"]);
    expect(names.slice(2)).toEqual([...names.slice(2)].sort());
    expect(names.slice(2).some((name) => name.endsWith("/"))).toBe(false);
    await phone.shot("files-04-folder");

    // Highlighting is not part of the first load: its code and each grammar come on first use.
    const scripts: string[] = [];
    page.on("request", (request) => void (request.resourceType() === "script" && scripts.push(new URL(request.url()).pathname)));
    await listing.getByRole("link", { name: "src, folder" }).click();
    await page.getByLabel("Folder contents").getByRole("link", { name: "app.ts, file" }).click();
    const code = page.getByLabel("Content of app.ts");
    // Highlighted once the TypeScript grammar's chunk has loaded: keywords, strings, line numbers.
    await code.locator(".hljs-keyword", { hasText: "function" }).waitFor();
    await code.locator(".hljs-string").first().waitFor();
    expect(scripts.filter((path) => path.startsWith("/assets/typescript-"))).toHaveLength(1);
    expect(scripts.some((path) => path.startsWith("/assets/python-"))).toBe(false);
    expect(await code.locator(".code-line").count()).toBe(APP_TS.split("\n").length);
    expect(await code.locator(".code-line").nth(2).innerText()).toMatch(/^3\s+return greeting\.toUpperCase\(\);$/);
    await phone.shot("files-05-file");

    await page.goto(sessionUrl(repo.sessionId, "/file/binary.bin"));
    await page.getByText("A binary file of 12 B: it is not shown here.").waitFor();

    await page.goto(sessionUrl(repo.sessionId, "/file/big.log"));
    const size = Bun.file(join(repo.directory, "big.log")).size;
    await page.getByText(`Read 256.0 KB of ${(size / 1024).toFixed(1)} KB`, { exact: false }).waitFor();
    const log = page.getByLabel("Content of big.log");
    expect(await log.locator(".code-line").count()).toBe(1000);
    // More lines of what was read, then the next pages, until the end of the file.
    const footer = page.locator(".file-more, .file-end");
    for (let clicks = 0; (await footer.getAttribute("class")) === "file-more"; clicks++) {
      expect(clicks).toBeLessThan(20);
      const before = await footer.innerText();
      await footer.getByRole("button").click();
      await page.waitForFunction((text) => document.querySelector(".file-more, .file-end")?.textContent !== text && !document.querySelector(".show-more:disabled"), before);
    }
    await page.getByText(`${BIG_LINES + 1} lines`, { exact: false }).waitFor();
    expect(await log.locator(".code-line").last().innerText()).toMatch(new RegExp(`^${BIG_LINES + 1}\\s*$`));
    expect(await log.locator(".code-line").nth(BIG_LINES - 1).innerText()).toContain(`log line ${BIG_LINES} `);
    expect(phone.errors).toEqual([]);
  }, SLOW);

  browserTest("edit and save a small text file; a save after the file changed elsewhere is refused and offers to reload", async () => {
    await page.goto(sessionUrl(repo.sessionId, "/file/notes.md"));
    await page.getByLabel("Content of notes.md").getByText("second line").waitFor();
    await page.getByRole("button", { name: "Edit" }).click();
    await page.getByLabel("Edit notes.md").fill("# Notes\nedited on the phone\n");
    await phone.shot("files-06-edit");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").filter({ hasText: "Saved notes.md." }).waitFor();
    expect(readFileSync(join(repo.directory, "notes.md"), "utf8")).toBe("# Notes\nedited on the phone\n");
    await page.getByLabel("Content of notes.md").getByText("edited on the phone").waitFor();

    // Edited again, while the agent writes the file meanwhile: the phone's save must not win.
    await page.getByRole("button", { name: "Edit" }).click();
    await page.getByLabel("Edit notes.md").fill("# Notes\nthe phone's second edit\n");
    writeFileSync(join(repo.directory, "notes.md"), "# Notes\nwritten by the agent\n");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("alert").filter({ hasText: "notes.md was changed on the computer" }).waitFor();
    expect(readFileSync(join(repo.directory, "notes.md"), "utf8")).toBe("# Notes\nwritten by the agent\n");
    await phone.shot("files-07-stale");
    await page.getByRole("button", { name: "Reload the file (drops your edit)" }).click();
    await page.getByLabel("Content of notes.md").getByText("written by the agent").waitFor();
    await page.getByRole("status").filter({ hasText: "Reloaded notes.md" }).waitFor();
  }, SLOW);
});

describe("the composer and the conversation", () => {
  browserTest("@ suggests the session's files and puts the chosen path in the message", async () => {
    await page.goto(sessionUrl(repo.sessionId));
    const box = page.getByLabel("Message to the agent");
    await box.click();
    await box.pressSequentially("look at @ap");
    const options = page.getByRole("listbox", { name: "Files to mention" }).getByRole("option");
    await options.first().waitFor();
    expect((await options.first().innerText()).replace(/\s+/g, " ").trim()).toBe("app.ts src/");
    await phone.shot("files-08-mention");
    await options.first().getByRole("button").click();
    await expect(box.inputValue()).resolves.toBe("look at @src/app.ts ");
    // The keyboard way: arrows and Enter, with a folder as the match.
    await box.pressSequentially("and @sr");
    await page.getByRole("option", { name: "src/", exact: true }).waitFor();
    await box.press("Enter");
    await expect(box.inputValue()).resolves.toBe("look at @src/app.ts and @src/ ");
    await page.getByRole("button", { name: "Send message" }).click();
    await repo.session.waitFor("the message with the paths", (m) => m.body?.role === "user" && m.body.content.text === "look at @src/app.ts and @src/");
  }, SLOW);

  browserTest("a permission request for an edit shows its diff inline; a code block is highlighted and copies", async () => {
    await phone.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: daemon.base });
    const agent = await fakeAgentSession(daemon, { path: "/home/me/code/site", name: "Edits" });
    agent.alive(true);
    await page.goto(sessionUrl(agent.sid));
    await agent.ask("perm-edit", "Edit", { file_path: "src/login.ts", old_string: "if (user) {\n  login();\n}", new_string: "if (user && user.active) {\n  login();\n}" });
    const card = page.getByRole("region", { name: "Permission request: Edit" });
    await card.getByText("Edit wants to change: src/login.ts", { exact: false }).waitFor();
    // Visible without opening anything.
    await card.locator(".diff-added", { hasText: "if (user && user.active) {" }).waitFor({ state: "visible" });
    await card.locator(".diff-removed", { hasText: "if (user) {" }).waitFor({ state: "visible" });
    expect(await card.locator("details").count()).toBe(0);
    await phone.shot("files-09-edit-permission");
    await card.getByRole("button", { name: "Allow", exact: true }).click();
    await card.waitFor({ state: "detached" });

    await agent.say("Run this:\n\n```ts\nconst answer: number = 42;\n```");
    const block = page.locator(".code-block-wrap").last();
    await block.locator(".hljs-keyword", { hasText: "const" }).waitFor();
    await block.getByRole("button", { name: "Copy code" }).click();
    await block.getByRole("button", { name: "Copy code" }).filter({ hasText: "Copied" }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe("const answer: number = 42;");
    expect(phone.errors).toEqual([]);
  }, SLOW);
});
