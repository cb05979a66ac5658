import { describe, expect, test } from "bun:test";
import { parseClaudeArgs } from "../../src/agent/claude/args.ts";

describe("arguments for the agent", () => {
  test("the session learns the conversation and model the user picked; the rest passes untouched", () => {
    const id = "0b4f2a40-2f0e-4c5e-9d7a-1f6a2b3c4d5e";
    expect(parseClaudeArgs(["--resume", id, "--model", "opus"])).toEqual({ resume: id, continueLast: false, model: "opus", rest: ["--model", "opus"] });
    expect(parseClaudeArgs(["--resume"]).resume).toBe("pick");
    expect(parseClaudeArgs(["-c", "--verbose"])).toMatchObject({ continueLast: true, rest: ["--verbose"] });
    expect(parseClaudeArgs(["--session-id", id, "--model=sonnet"])).toMatchObject({ model: "sonnet", rest: ["--model=sonnet"] });
  });
});
