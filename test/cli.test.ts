import { describe, expect, test } from "bun:test";
import pkg from "../package.json" with { type: "json" };
import { createSandbox } from "./helpers/sandbox.ts";

describe("the command line", () => {
  test("--version prints the version and nothing else", async () => {
    await using box = createSandbox();
    const result = await box.cli(["--version"]);
    expect(result).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });

  test("an unknown command is an error with the help, exit 2", async () => {
    await using box = createSandbox();
    const result = await box.cli(["frobnicate"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command `frobnicate`");
    expect(result.stdout).toContain("Usage");
  });

  test("an unknown daemon subcommand or flag is an error with the help, exit 2", async () => {
    await using box = createSandbox();
    const sub = await box.cli(["daemon", "explode"]);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain("unknown command `explode`");
    const flag = await box.cli(["daemon", "status", "--bogus"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("--bogus");
    expect(flag.stdout).toContain("Usage");
  });

  test("every command has --help", async () => {
    await using box = createSandbox();
    for (const args of [["--help"], ["daemon", "--help"], ["daemon", "start", "--help"], ["daemon", "logs", "--help"]]) {
      const result = await box.cli(args);
      expect({ args, code: result.code }).toEqual({ args, code: 0 });
      expect(result.stdout).toContain("Usage");
    }
  });

  test("status before any start says never started, exit 1, and creates nothing", async () => {
    await using box = createSandbox();
    const result = await box.cli(["daemon", "status", "--json"]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ state: "stopped", stateReason: "never started", running: false });
    expect(box.row()).toBeNull();
  });

  test("stop when nothing runs says so and exits 0", async () => {
    await using box = createSandbox();
    const result = await box.cli(["daemon", "stop"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("not running");
  });
});
