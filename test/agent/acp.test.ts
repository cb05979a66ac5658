import { mkdirSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Socket } from "socket.io-client";
import { createCipher } from "../../src/crypto/session-cipher.ts";
import { AppAcpSessionRecord } from "../fixtures/reference-app/acp-record.ts";
import { acpOf, fakeAcpAgent, type AcpStyle, type FakeAcp } from "../helpers/acp.ts";
import { assistantText, eventOf, fakeClaude, phoneSession, type Plain } from "../helpers/agent.ts";
import { startDaemon, type Daemon } from "../helpers/p2p.ts";
import { eventually, isAlive } from "../helpers/sandbox.ts";
import { childRows, machineRpc } from "../helpers/sessions.ts";

type Session = Awaited<ReturnType<typeof phoneSession>>;

async function spawnAgent(daemon: Daemon, phone: Socket, agent: AcpStyle, name: string) {
  const directory = join(daemon.box.home, "work", name);
  mkdirSync(directory, { recursive: true });
  const answer = await machineRpc(daemon, phone, "spawn-remcli-session", { type: "spawn-in-directory", directory, agent });
  if (answer.type !== "success") throw new Error(`spawn failed: ${JSON.stringify(answer)}`);
  const session = await phoneSession(daemon, phone, answer.sessionId);
  await eventually("the agent state to be written", async () => ((await session.state()).version > 0 ? true : undefined));
  return { sessionId: answer.sessionId as string, session, directory };
}

/** Sends `text` and waits for the turn's end ("ready"); returns what the agent sent for it. */
async function turn(session: Session, text: string, meta: Record<string, unknown> = {}) {
  const at = await session.send(text, meta);
  await session.waitFor(`the end of "${text}"`, (m) => eventOf(m)?.type === "ready", at);
  return (await session.history()).filter((m) => m.seq > at);
}

const acp = (messages: Plain[]) => messages.map(acpOf).filter((d) => d !== undefined);
const replies = (messages: Plain[]) => acp(messages).filter((d) => d.type === "message").map((d) => d.message as string);
/** The session's newest process record (a resumed session has one per process). */
const row = (daemon: Daemon, sessionId: string) => childRows(daemon.box).filter((r) => r.sessionId === sessionId).at(-1);

/** Live fake agents of `dirs` (each runs with FAKE_ACP_DIR inside its own). */
function agentProcesses(dirs: string[]): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
        return dirs.some((dir) => environ.includes(`FAKE_ACP_DIR=${join(dir, "sessions")}`)) && isAlive(Number(pid));
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The computer goes down and up again: daemon and session killed at once, the daemon started; a new phone connection. */
async function powerCycle(daemon: Daemon, sessionId: string): Promise<Socket> {
  const pid = row(daemon, sessionId)!.pid;
  process.kill(daemon.pid, "SIGKILL");
  process.kill(-pid, "SIGKILL");
  await eventually("the session to be gone", () => (isAlive(pid) ? undefined : true));
  await daemon.restart();
  return daemon.connect();
}

/** Every message of the session must be one the reference app parses, or the app drops it. */
async function expectAppParsesAll(session: Session) {
  const refused = (await session.history()).filter((m) => !AppAcpSessionRecord.safeParse(m.body).success);
  expect(refused.map((m) => m.body)).toEqual([]);
}

describe("ACP agents driven from the phone (the fake agent as Gemini CLI)", () => {
  let gemini: FakeAcp;
  let daemon: Daemon;
  let phone: Socket;
  beforeAll(async () => {
    gemini = fakeAcpAgent("gemini");
    daemon = await startDaemon(gemini.env);
    phone = await daemon.connect();
  });
  afterAll(async () => {
    await daemon?.[Symbol.asyncDispose]();
    gemini?.[Symbol.dispose]();
  });

  test("text, a tool allowed once, for the session and denied, edits, plans, thoughts and modes reach the phone in the app's shape", async () => {
    const { session } = await spawnAgent(daemon, phone, "gemini", "chat");
    // The agent names its session once it is up; the app shows it.
    const metadata = await eventually("the agent's session id", async () => {
      const { metadata } = await session.state();
      return metadata.agentSessionId ? metadata : undefined;
    });
    expect(metadata).toMatchObject({ flavor: "gemini", agentSessionId: expect.any(String) });
    expect(metadata.claudeSessionId).toBeUndefined();
    // Its slash commands, for the phone's composer; no terminal to hand control to.
    const commands = await eventually("the agent's slash commands", async () => (await session.state()).metadata.slashCommands);
    expect(commands).toEqual(["memory", "compress"]);
    expect((await session.state()).metadata.hasTerminal).toBe(false);

    // A reply in two chunks arrives as one message, between the turn's start and end.
    const hello = await turn(session, "hello");
    expect(acp(hello).map((d) => d.type)).toEqual(["task_started", "message", "task_complete"]);
    expect(replies(hello)).toEqual(["echo: hello"]);
    expect(hello[0]!.body).toMatchObject({ role: "agent", content: { type: "acp", provider: "gemini" }, meta: { sentFrom: "cli" } });

    // Gemini asks before it ever reports the tool call: the phone still sees the call its question is about.
    const onceAt = await session.send("run a tool");
    const onceId = await session.openRequest("Bash");
    expect((await session.state()).agentState.requests[onceId]).toMatchObject({ tool: "Bash", arguments: { command: "ls -la" } });
    const call = await session.waitFor("the tool call", (m) => acpOf(m)?.type === "tool-call", onceAt);
    expect(acpOf(call)).toMatchObject({ callId: onceId, name: "Bash", input: { command: "ls -la" } });
    expect(await session.rpc("permission", { id: onceId, approved: true, decision: "approved" })).toEqual({ ok: true });
    const once = await session.waitFor("the tool result", (m) => acpOf(m)?.type === "tool-result", onceAt);
    expect(acpOf(once)).toMatchObject({ callId: onceId, output: "ran ls -la (once)", isError: false });
    await session.waitFor("the answer", (m) => acpOf(m)?.message === "Done.", onceAt);
    await session.waitFor("the end of the turn", (m) => eventOf(m)?.type === "ready", onceAt);

    // "For this session" picks the agent's allow-always option (its id differs per agent).
    const alwaysAt = await session.send("run a tool");
    const alwaysId = await session.openRequest("Bash");
    await session.rpc("permission", { id: alwaysId, approved: true, decision: "approved_for_session", allowTools: ["Bash(ls -la)"] });
    await session.waitFor("the result", (m) => acpOf(m)?.output === "ran ls -la (always)", alwaysAt);
    await session.waitFor("the end of the turn", (m) => eventOf(m)?.type === "ready", alwaysAt);

    // That command is allowed for the session now: it runs without asking the phone.
    const unasked = await turn(session, "run a tool, once more");
    expect(acp(unasked).find((d) => d.type === "tool-result")).toMatchObject({ output: "ran ls -la (once)" });
    expect(Object.keys((await session.state()).agentState.completedRequests)).toEqual([onceId, alwaysId]);

    // Denied: the tool fails, the agent says so; the request is recorded as denied.
    const editAt = await session.send("edit a file");
    const editId = await session.openRequest("Edit");
    expect((await session.state()).agentState.requests[editId].arguments).toEqual({ file_path: "/work/notes.txt", old_string: "old line\n", new_string: "new line\n" });
    await session.rpc("permission", { id: editId, approved: false, decision: "denied", reason: "not that file" });
    const failed = await session.waitFor("the failed edit", (m) => acpOf(m)?.type === "tool-result", editAt);
    expect(acpOf(failed)).toMatchObject({ callId: editId, isError: true, output: "rejected by the user" });
    await session.waitFor("the refusal", (m) => acpOf(m)?.message === "I will not run it.", editAt);
    await session.waitFor("the end of the turn", (m) => eventOf(m)?.type === "ready", editAt);
    expect((await session.state()).agentState.completedRequests[editId]).toMatchObject({ status: "denied", reason: "not that file" });

    // Accept-edits from the phone: the agent's own auto-edit mode, and edits go through unasked.
    const accepted = await turn(session, "edit a file", { permissionMode: "acceptEdits" });
    expect(replies(accepted)).toEqual(["Done."]);
    expect(replies(await turn(session, "status", { permissionMode: "acceptEdits" }))).toEqual(["mode=autoEdit model=fake-small"]);
    // The reference app's own Gemini modes and a model choice.
    expect(replies(await turn(session, "status", { permissionMode: "yolo", model: "fake-large" }))).toEqual(["mode=yolo model=fake-large"]);
    expect(replies(await turn(session, "status", { permissionMode: "read-only" }))).toEqual(["mode=plan model=fake-large"]);
    expect(replies(await turn(session, "status", { permissionMode: "default", model: "no-such-model" }))).toEqual(["mode=default model=fake-large"]);

    // A plan renders as a todo list; a thought as thinking.
    const plan = acp(await turn(session, "plan"));
    expect(plan.find((d) => d.type === "tool-call")).toMatchObject({
      name: "TodoWrite",
      input: { todos: [{ content: "Read the code", status: "completed" }, { content: "Write the fix", status: "in_progress" }, { content: "Run the tests", status: "pending" }] },
    });
    const thought = acp(await turn(session, "think"));
    expect(thought.map((d) => d.type)).toEqual(["task_started", "thinking", "message", "task_complete"]);
    expect(thought[1]).toEqual({ type: "thinking", text: "Let me think about it." });

    await expectAppParsesAll(session);
  }, 60_000);

  test("abort cancels the turn: an open question is answered cancelled, a long turn stops, the session goes on", async () => {
    const { session } = await spawnAgent(daemon, phone, "gemini", "abort");

    const askAt = await session.send("run a tool");
    const askId = await session.openRequest("Bash");
    expect(await session.rpc("abort", {})).toEqual({ ok: true });
    await session.waitFor("the aborted turn", (m) => acpOf(m)?.type === "turn_aborted", askAt);
    await session.waitFor("the abort notice", (m) => eventOf(m)?.message === "Aborted by user", askAt);
    const state = (await session.state()).agentState;
    expect(state.requests).toEqual({});
    expect(state.completedRequests[askId]).toMatchObject({ status: "canceled" });
    const closed = await session.waitFor("the call closed", (m) => acpOf(m)?.type === "tool-result", askAt);
    expect(acpOf(closed)).toMatchObject({ callId: askId, isError: true });
    // The phone's late answer to the cancelled question changes nothing.
    expect(await session.rpc("permission", { id: askId, approved: true })).toMatchObject({ ok: false });

    const waitAt = await session.send("wait");
    await session.waitFor("the turn to start", (m) => acpOf(m)?.type === "task_started", waitAt);
    await session.rpc("abort", {});
    await session.waitFor("the stopped turn", (m) => acpOf(m)?.type === "turn_aborted", waitAt);
    await session.waitFor("the session to be ready again", (m) => eventOf(m)?.type === "ready", waitAt);
    expect(replies((await session.history()).filter((m) => m.seq > waitAt))).toEqual(["Working on it…"]);

    expect(replies(await turn(session, "still there?"))).toEqual(["echo: still there?"]);
    await expectAppParsesAll(session);
  }, 40_000);

  test("the machine lists the installed agents with versions; an agent that is not installed is a clear spawn error", async () => {
    const metadata = await eventually("the agents in the machine metadata", async () => {
      const [m] = (await daemon.api("/v1/machines")).body as Array<{ metadata: string; dataEncryptionKey: string }>;
      const plain = createCipher(daemon.secret, m!.dataEncryptionKey).decrypt(m!.metadata) as { agents?: Record<string, Record<string, unknown>> };
      return plain.agents?.gemini?.version ? plain : undefined;
    });
    expect(metadata.agents).toEqual({
      claude: { displayName: "Claude Code", installed: false, version: null, installHint: expect.stringContaining("npm install -g @anthropic-ai/claude-code") },
      gemini: { displayName: "Gemini CLI", installed: true, version: "9.9.9", installHint: expect.stringContaining("npm install -g @google/gemini-cli") },
      codex: { displayName: "Codex", installed: false, version: null, installHint: expect.stringContaining("@openai/codex @agentclientprotocol/codex-acp") },
      opencode: { displayName: "opencode", installed: false, version: null, installHint: expect.stringContaining("npm install -g opencode-ai") },
    });

    const directory = join(daemon.box.home, "work", "missing-agent");
    mkdirSync(directory, { recursive: true });
    const before = childRows(daemon.box).length;
    const missing = await machineRpc(daemon, phone, "spawn-remcli-session", { type: "spawn-in-directory", directory, agent: "opencode" });
    expect(missing).toEqual({
      type: "error",
      errorMessage: `opencode was not found at REMCLI_OPENCODE_PATH=${daemon.box.env.REMCLI_OPENCODE_PATH}. Install it with \`npm install -g opencode-ai\` (or set REMCLI_OPENCODE_PATH to its path).`,
    });
    const cursor = await machineRpc(daemon, phone, "spawn-remcli-session", { type: "spawn-in-directory", directory, agent: "cursor" });
    expect(cursor).toEqual({ type: "error", errorMessage: expect.stringContaining("cannot run cursor") });
    // Nothing was started for either, and nothing ran Claude Code instead.
    expect(childRows(daemon.box).length).toBe(before);
  }, 30_000);

  test("an agent that crashes is reported to the phone and ends the session with that reason", async () => {
    const { sessionId, session } = await spawnAgent(daemon, phone, "gemini", "crash");
    const at = await session.send("crash now");
    const notice = await session.waitFor("the crash notice", (m) => eventOf(m)?.type === "message", at);
    expect(eventOf(notice).message).toStartWith("Gemini CLI stopped unexpectedly: exited with code 3");
    const ended = await eventually("the record to end", () => row(daemon, sessionId)?.endReason ?? undefined);
    expect(ended).toStartWith("ended by the session: agent crashed: exited with code 3");
    await eventually("the process to exit", () => (isAlive(row(daemon, sessionId)!.pid) ? undefined : true));
  }, 30_000);
});

describe("Codex and opencode through the same client", () => {
  test("each starts with its launch environment, answers, and asks with its own option ids", async () => {
    using codex = fakeAcpAgent("codex", { FAKE_ACP_ECHO_ENV: "CODEX_PATH,INITIAL_AGENT_MODE" });
    using opencode = fakeAcpAgent("opencode", { FAKE_ACP_ECHO_ENV: "OPENCODE_PERMISSION,OPENCODE_DISABLE_AUTOUPDATE,npm_config_offline" });
    await using daemon = await startDaemon({ ...codex.env, ...opencode.env });
    const phone = await daemon.connect();

    const forCodex = await spawnAgent(daemon, phone, "codex", "codex");
    expect((await forCodex.session.state()).metadata.flavor).toBe("codex");
    expect(replies(await turn(forCodex.session, "env"))).toEqual([`CODEX_PATH=${codex.env.REMCLI_CODEX_PATH} INITIAL_AGENT_MODE=workspace-write`]);
    // Codex's modes are config options: the app's "yolo" is its full access, "read-only" its read-only.
    expect(replies(await turn(forCodex.session, "status", { permissionMode: "yolo" }))).toEqual(["mode=agent-full-access model=fake-small"]);
    expect(replies(await turn(forCodex.session, "status", { permissionMode: "read-only", model: "fake-large" }))).toEqual(["mode=read-only model=fake-large"]);

    const forOpencode = await spawnAgent(daemon, phone, "opencode", "opencode");
    expect(replies(await turn(forOpencode.session, "env"))).toEqual(['OPENCODE_PERMISSION={"bash":"ask","edit":"ask"} OPENCODE_DISABLE_AUTOUPDATE=1 npm_config_offline=true']);
    expect(replies(await turn(forOpencode.session, "status", { permissionMode: "plan" }))).toEqual(["mode=plan model=fake-small"]);

    for (const { session } of [forCodex, forOpencode]) {
      const at = await session.send("run a tool");
      const id = await session.openRequest("Bash");
      // Codex and opencode report the call before they ask: it is on the phone while the question is open.
      const call = await session.waitFor("the tool call", (m) => acpOf(m)?.type === "tool-call", at);
      expect(acpOf(call)).toMatchObject({ callId: id, name: "Bash" });
      await session.rpc("permission", { id, approved: true, decision: "approved_for_session", allowTools: ["Bash(ls -la)"] });
      await session.waitFor("the result", (m) => acpOf(m)?.output === "ran ls -la (always)", at);
      await expectAppParsesAll(session);
    }

    // Stopping a session stops its agent: no agent process is left behind.
    expect(agentProcesses([codex.dir, opencode.dir]).length).toBe(2);
    for (const { sessionId } of [forCodex, forOpencode]) {
      expect(await machineRpc(daemon, phone, "stop-session", { sessionId })).toEqual({ message: "Session stopped (SIGTERM)" });
    }
    await eventually("the agents to be gone", () => (agentProcesses([codex.dir, opencode.dir]).length === 0 ? true : undefined));
  }, 60_000);
});

describe("resume", () => {
  test("after a daemon restart a running session goes on; once it is gone, resume continues it with the same agent and conversation", async () => {
    using gemini = fakeAcpAgent("gemini");
    await using daemon = await startDaemon(gemini.env);
    let phone = await daemon.connect();
    const { sessionId, session, directory } = await spawnAgent(daemon, phone, "gemini", "resume");
    expect(replies(await turn(session, "first"))).toEqual(["echo: first"]);

    // The daemon restarts under a running session: the session reconnects and goes on.
    expect((await daemon.box.cli(["daemon", "stop"])).code).toBe(0);
    await daemon.restart();
    phone = await daemon.connect();
    const again = await phoneSession(daemon, phone, sessionId);
    expect(replies(await turn(again, "second"))).toEqual(["echo: second"]);

    // A running session is not resumed twice.
    const twice = await machineRpc(daemon, phone, "spawn-remcli-session", { type: "spawn-in-directory", directory, sessionId });
    expect(twice).toEqual({ type: "error", errorMessage: `session ${sessionId} is still running` });

    // The computer goes down: daemon and session killed at once.
    const pid = row(daemon, sessionId)!.pid;
    phone = await powerCycle(daemon, sessionId);
    const before = await again.history();

    // Resume: the same session record, Gemini again (from metadata.flavor), its conversation loaded.
    const resumed = await machineRpc(daemon, phone, "spawn-remcli-session", { type: "spawn-in-directory", directory: "/ignored", sessionId });
    expect(resumed).toEqual({ type: "success", sessionId });
    const view = await phoneSession(daemon, phone, sessionId);
    expect(row(daemon, sessionId)).toMatchObject({ endedAt: null, startedBy: "daemon" });
    expect(row(daemon, sessionId)!.pid).not.toBe(pid);
    expect(replies(await turn(view, "remember"))).toEqual(["I remember 2 turns"]);
    const after = await view.history();
    // The replayed conversation was not sent again, and the old phone messages did not reach the agent again.
    expect(after.slice(0, before.length).map((m) => m.seq)).toEqual(before.map((m) => m.seq));
    expect(replies(after.slice(before.length))).toEqual(["I remember 2 turns"]);
    const { metadata } = await view.state();
    expect(metadata).toMatchObject({ flavor: "gemini", path: directory, agentSessionId: (await again.state()).metadata.agentSessionId });
    expect(metadata.hostPid).not.toBe(pid);

    const unknown = await machineRpc(daemon, phone, "spawn-remcli-session", { type: "spawn-in-directory", directory, sessionId: "no-such-session" });
    expect(unknown).toEqual({ type: "error", errorMessage: "no session no-such-session to resume" });
  }, 60_000);

  test("a Claude Code session resumes its conversation too (claude --resume)", async () => {
    using claude = fakeClaude();
    await using daemon = await startDaemon(claude.env);
    let phone = await daemon.connect();
    const directory = join(daemon.box.home, "work", "claude-resume");
    mkdirSync(directory, { recursive: true });
    const spawned = await machineRpc(daemon, phone, "spawn-remcli-session", { type: "spawn-in-directory", directory });
    const sessionId = spawned.sessionId as string;
    const session = await phoneSession(daemon, phone, sessionId);
    const first = await session.send("hello");
    await session.waitFor("the answer", (m) => assistantText(m) === "echo: hello", first);
    const conversation = (await session.state()).metadata.claudeSessionId as string;

    phone = await powerCycle(daemon, sessionId);
    expect(await machineRpc(daemon, phone, "spawn-remcli-session", { type: "spawn-in-directory", directory, sessionId })).toEqual({ type: "success", sessionId });
    const view = await phoneSession(daemon, phone, sessionId);
    const again = await view.send("hello again");
    await view.waitFor("the answer", (m) => assistantText(m) === "echo: hello again", again);
    expect((await view.state()).metadata).toMatchObject({ flavor: "claude", claudeSessionId: conversation });
    // Claude Code went on writing the same transcript: the same conversation.
    const dir = join(claude.projectsDir, realpathSync(directory).replace(/[^a-zA-Z0-9]/g, "-"));
    expect(readdirSync(dir)).toEqual([`${conversation}.jsonl`]);
    expect(readFileSync(join(dir, `${conversation}.jsonl`), "utf8")).toContain("hello again");
  }, 60_000);
});
