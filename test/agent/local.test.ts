import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { expect, test } from "bun:test";
import { transcriptDirFor } from "../../src/agent/claude/transcript.ts";
import { assistantText, eventOf, fakeClaude, phoneSession } from "../helpers/agent.ts";
import { startDaemon } from "../helpers/p2p.ts";
import { eventually } from "../helpers/sandbox.ts";
import { controlOf } from "../helpers/sessions.ts";

const ENTRY = join(import.meta.dir, "..", "..", "src", "main.ts");
const tmuxMissing = !Bun.which("tmux");

/** A tmux server of its own (`-L`), so the test never touches the user's sessions. */
function tmux(server: string) {
  const run = (...args: string[]) => {
    const result = Bun.spawnSync(["tmux", "-L", server, ...args], { stdout: "pipe", stderr: "pipe" });
    return result.stdout.toString();
  };
  return {
    run,
    screen: () => run("capture-pane", "-p", "-t", "main", "-S", "-200"),
    keys: (...keys: string[]) => run("send-keys", "-t", "main", ...keys),
    [Symbol.dispose]: () => void run("kill-server"),
  };
}

test("a project path past 200 escaped characters: the folder Claude Code names with a hash", () => {
  // Claude Code 2.1.332's own function gave this name for this path.
  const path = `/home/user/${"deeply-nested-project-folder/".repeat(8)}app`;
  const name = `-home-user-${"deeply-nested-project-folder-".repeat(6)}deeply-nested-p-8v0hfm`;
  expect(transcriptDirFor("/projects", path)).toBe(`/projects/${name}`);
  expect(transcriptDirFor("/projects", "/home/user/project")).toBe("/projects/-home-user-project");
});

test.skipIf(tmuxMissing)("local → remote → local in a real terminal: the agent's own UI, mirrored, handed to the phone and back", async () => {
  using claude = fakeClaude();
  await using daemon = await startDaemon(claude.env);
  // Deep enough that Claude Code cuts the transcript folder's name and adds a hash.
  const deep = Array.from({ length: 5 }, (_, i) => `a-rather-long-folder-name-of-a-deeply-nested-project-${i}`);
  const directory = join(daemon.box.home, "work", ...deep);
  mkdirSync(directory, { recursive: true });
  // The terminal's shell: this sandbox's environment, then `remcli` in the project.
  const script = join(daemon.box.home, "run-remcli.sh");
  const exports = Object.entries(daemon.box.env)
    .filter(([key]) => /^[A-Z_][A-Z0-9_]*$/.test(key))
    .map(([key, value]) => `export ${key}='${value.replaceAll("'", "'\\''")}'`);
  writeFileSync(script, `${exports.join("\n")}\ncd '${directory}'\nexec '${process.execPath}' '${ENTRY}'\n`);
  using term = tmux(`remcli-test-${process.pid}-${Date.now()}`);
  term.run("new-session", "-d", "-s", "main", "-x", "150", "-y", "50", `sh '${script}'`);

  const header = await eventually("the local agent's UI", () => /fake claude interactive (\S+)/.exec(term.screen())?.[1], 15_000);
  const sessionId = await eventually("the session to be registered", async () => {
    const listed = await controlOf(daemon).call("list", {});
    return listed.ok ? (listed.data.sessions.find((s) => s.startedBy === "terminal")?.sessionId ?? undefined) : undefined;
  });
  const phone = await daemon.connect();
  const session = await phoneSession(daemon, phone, sessionId);
  expect((await session.state()).agentState.controlledByUser).toBe(true);

  // Typed in the terminal: the phone sees the prompt and the answer, from the transcript.
  term.keys("typed locally", "Enter");
  await session.waitFor("the local answer", (m) => assistantText(m) === "local echo: typed locally");
  const prompt = await session.waitFor("the local prompt", (m) => m.body?.role === "user" && m.body.content.text === "typed locally");
  expect(prompt.body.meta).toEqual({ sentFrom: "cli" });
  const folders = readdirSync(claude.projectsDir);
  expect(folders).toEqual([basename(transcriptDirFor(claude.projectsDir, directory))]);
  expect(folders[0]).toMatch(/^.{200}-[0-9a-z]+$/);

  // A phone message takes over: same conversation, now driven remotely.
  const fromPhone = await session.send("hello from the phone");
  await session.waitFor("the remote answer", (m) => assistantText(m) === "echo: hello from the phone", fromPhone, 15_000);
  expect((await session.history()).some((m) => eventOf(m)?.type === "switch" && eventOf(m).mode === "remote")).toBe(true);
  await eventually("the terminal to say how to take control back", () => (term.screen().includes("Press any key") ? true : undefined));
  expect((await session.state()).agentState.controlledByUser).toBe(false);

  // A key press in the terminal takes it back, resuming the same conversation locally.
  term.keys("x");
  await eventually("the local UI again", () => (term.screen().split(`fake claude interactive ${header}`).length > 2 ? true : undefined), 15_000);
  term.keys("back here", "Enter");
  await session.waitFor("the second local answer", (m) => assistantText(m) === "local echo: back here", fromPhone);
  expect((await session.history()).filter((m) => eventOf(m)?.type === "switch").map((m) => eventOf(m).mode)).toEqual(["remote", "local"]);
  // A terminal holds it: the phone may offer to hand control back.
  expect((await session.state()).metadata).toMatchObject({ claudeSessionId: header, hasTerminal: true });

  // Quitting the agent ends the session, recorded with why.
  term.keys("/exit", "Enter");
  await eventually("the session to end", async () => {
    const listed = await controlOf(daemon).call("list", {});
    return listed.ok && listed.data.sessions.length === 0 ? true : undefined;
  });
}, 45_000);
