import { describe, expect, test } from "bun:test";
import type { SessionUpdate } from "@agentclientprotocol/sdk";
import { createAcpOutput } from "../../src/agent/acp/output.ts";
import { AcpContent } from "../../src/protocol/acp.ts";
import { AppAcpSessionRecord } from "../fixtures/reference-app/acp-record.ts";

// Session updates as the real agents sent them on this machine (Gemini CLI 0.61,
// codex-acp 2.6 with Codex 0.171, opencode 1.18), trimmed to the fields that matter.
const GEMINI_EDIT: SessionUpdate[] = [
  {
    sessionUpdate: "tool_call_update",
    toolCallId: "write_file__write_file_1796130022540_0",
    kind: "edit",
    status: "completed",
    title: "Writing to note.txt",
    content: [{ type: "diff", path: "/tmp/work/note.txt", oldText: "", newText: "hi\n" }],
    locations: [{ path: "/tmp/work/note.txt" }],
  },
  { sessionUpdate: "agent_message_chunk", content: { type: "text", text: "The tool ran." } },
];
const CODEX_COMMAND: SessionUpdate[] = [
  {
    sessionUpdate: "tool_call",
    toolCallId: "call_1",
    title: "touch made-by-codex",
    kind: "execute",
    status: "in_progress",
    content: [{ type: "terminal", terminalId: "call_1" }],
    rawInput: { command: "touch made-by-codex", cwd: "/tmp/work" },
  },
  { sessionUpdate: "tool_call_update", toolCallId: "call_1", status: "completed" },
  { sessionUpdate: "usage_update", used: 15, size: 258400 },
  { sessionUpdate: "agent_message_chunk", content: { type: "text", text: "Hello from fake codex" }, messageId: "msg_2" },
];
const OPENCODE_COMMAND: SessionUpdate[] = [
  { sessionUpdate: "tool_call", toolCallId: "call_3", title: "bash", kind: "execute", status: "pending", locations: [{ path: "/tmp/work" }], rawInput: { cwd: "/tmp/work" } },
  {
    sessionUpdate: "tool_call_update",
    toolCallId: "call_3",
    kind: "execute",
    status: "in_progress",
    title: "touch made-by-opencode",
    rawInput: { command: "touch made-by-opencode", description: "make a file", cwd: "/tmp/work" },
  },
  {
    sessionUpdate: "tool_call_update",
    toolCallId: "call_3",
    status: "completed",
    content: [{ type: "content", content: { type: "text", text: "(no output)" } }],
    rawOutput: { output: "(no output)", metadata: { exit: 0 } },
  },
];

function run(updates: SessionUpdate[], paragraphFlushMs?: number) {
  const sent: unknown[] = [];
  const output = createAcpOutput("gemini", (content) => sent.push(content), paragraphFlushMs);
  output.startTurn();
  for (const update of updates) output.update(update);
  output.endTurn(false);
  return sent as Array<{ type: "acp"; data: Record<string, unknown> & { type: string } }>;
}

describe("ACP updates as the app's acp messages", () => {
  test.each([
    ["Gemini CLI's edit reported only by an update", GEMINI_EDIT],
    ["Codex's command with a terminal", CODEX_COMMAND],
    ["opencode's command, its input known only once it runs", OPENCODE_COMMAND],
  ])("%s: every record parses under our schema and the reference app's", (_, updates) => {
    const sent = run(updates);
    for (const content of sent) {
      expect(AcpContent.safeParse(content).error?.issues).toBeUndefined();
      expect(AppAcpSessionRecord.safeParse({ role: "agent", content, meta: { sentFrom: "cli" } }).error?.issues).toBeUndefined();
    }
    expect(sent[0]!.data.type).toBe("task_started");
    expect(sent.at(-1)!.data.type).toBe("task_complete");
  });

  test("a tool call update for an unknown id starts the call, with its diff as an edit", () => {
    const calls = run(GEMINI_EDIT).map((c) => c.data).filter((d) => d.type === "tool-call" || d.type === "tool-result");
    expect(calls).toEqual([
      { type: "tool-call", callId: "write_file__write_file_1796130022540_0", name: "Write", input: { file_path: "/tmp/work/note.txt", content: "hi\n" }, id: expect.any(String) },
      { type: "tool-result", callId: "write_file__write_file_1796130022540_0", output: "wrote /tmp/work/note.txt", id: expect.any(String), isError: false },
    ]);
  });

  test("a call pending without its input is shown once it runs, with the command it runs", () => {
    const data = run(OPENCODE_COMMAND).map((c) => c.data);
    expect(data.filter((d) => d.type === "tool-call")).toEqual([
      { type: "tool-call", callId: "call_3", name: "Bash", input: { command: "touch made-by-opencode", description: "make a file" }, id: expect.any(String) },
    ]);
    expect(data.find((d) => d.type === "tool-result")).toMatchObject({ output: "(no output)", isError: false });
  });

  test("a streaming reply goes out by finished paragraphs, never inside a code block", () => {
    const chunk = (text: string): SessionUpdate => ({ sessionUpdate: "agent_message_chunk", content: { type: "text", text } });
    const messages = run([chunk("First paragraph.\n\n"), chunk("```\ncode\n\nmore code"), chunk("\n```\n\nLast.")], 0)
      .map((c) => c.data)
      .filter((d) => d.type === "message")
      .map((d) => d.message);
    expect(messages).toEqual(["First paragraph.", "```\ncode\n\nmore code\n```", "Last."]);
  });

  test("calls still open when the turn ends are closed, as stopped when it was aborted", () => {
    const sent: Array<{ data: Record<string, unknown> }> = [];
    const output = createAcpOutput("codex", (content) => sent.push(content));
    output.startTurn();
    output.update(CODEX_COMMAND[0]!);
    output.endTurn(true);
    expect(sent.map((c) => c.data).slice(-2)).toEqual([
      { type: "tool-result", callId: "call_1", output: "Stopped: the turn was aborted.", id: expect.any(String), isError: true },
      { type: "turn_aborted", id: expect.any(String) },
    ]);
  });
});
