import { describe, expect, test } from "bun:test";
import { slashCommandsOf } from "../../src/agent/slash-commands.ts";
import { costSoFar, turnCost } from "../../src/web/ui/conversation/cost.ts";
import { matchCommands } from "../../src/web/ui/conversation/slash-commands.tsx";
import { elapsed } from "../../src/web/ui/conversation/working-indicator.tsx";
import type { ChatMessage } from "../../src/web/sync/views.ts";

// The conversation's pure parts: the running cost, the working time, slash commands.

const output = (seq: number, data: Record<string, unknown>): ChatMessage => ({
  id: `m${seq}`, seq, localId: null, createdAt: seq,
  plain: { role: "agent", content: { type: "output", data: data as never } },
});

describe("running cost", () => {
  test("is the newest result's running total; nothing when no loaded message says", () => {
    const messages = [
      output(1, { type: "result", total_cost_usd: 0.01 }),
      output(2, { type: "assistant", message: { content: [] } }),
      output(3, { type: "result", total_cost_usd: 0.03 }),
      output(4, { type: "assistant", message: { content: [] } }),
    ];
    expect(costSoFar(messages)).toBe(0.03);
    expect(costSoFar(messages.slice(1, 2))).toBeNull();
    expect(costSoFar([{ ...messages[0]!, plain: null }])).toBeNull();
  });

  test.each([
    [0.05, 0.03, 0.02],
    [0.05, null, 0.05],
    // After /clear the total starts again: the turn cost is its total.
    [0.004, 0.05, 0.004],
  ])("a turn of running total %p after %p cost %p", (total, before, cost) => {
    expect(turnCost(total, before)).toBeCloseTo(cost, 10);
  });
});

describe("working time", () => {
  test.each([
    [0, "0 s"],
    [59_999, "59 s"],
    [65_000, "1 min 05 s"],
    [3_725_000, "1 h 02 min"],
    [-5, "0 s"],
  ])("%p ms reads %p", (ms, text) => expect(elapsed(ms)).toBe(text));
});

describe("slash commands", () => {
  test("Claude Code's init lists them; those bound to its terminal are left out, and other messages list none", () => {
    expect(slashCommandsOf({ type: "system", subtype: "init", slash_commands: ["compact", "/review", "exit", 3, "compact"], terminal_slash_commands: ["exit"] })).toEqual(["compact", "review"]);
    expect(slashCommandsOf({ type: "system", subtype: "compact_boundary" })).toBeNull();
    expect(slashCommandsOf({ type: "assistant", slash_commands: ["x"] })).toBeNull();
  });

  test("names that start with what was typed come first, then those containing it", () => {
    const commands = ["compact", "review", "pr-comments", "init", "security-review"];
    expect(matchCommands(commands, "")).toEqual(commands);
    expect(matchCommands(commands, "re")).toEqual(["review", "security-review"]);
    expect(matchCommands(commands, "RE")).toEqual(["review", "security-review"]);
    expect(matchCommands(commands, "zzz")).toEqual([]);
  });
});
