import { describe, expect, test } from "bun:test";
import pkg from "../package.json" with { type: "json" };
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createSandbox, processesWithHome } from "./helpers/sandbox.ts";

/** Usage mistakes: each is exit 2 with the message on stderr and that command's help on stdout. */
const MISTAKES: Array<{ args: string[]; error: RegExp; usage: string }> = [
  { args: ["frobnicate"], error: /unknown command `frobnicate`$/m, usage: "$ remcli [...args]" },
  { args: ["deamon"], error: /unknown command `deamon`; did you mean `daemon`\?/, usage: "$ remcli [...args]" },
  { args: ["--hepl"], error: /unknown option `--hepl`; did you mean `--help`\?/, usage: "$ remcli [...args]" },
  { args: ["--resume"], error: /unknown option `--resume`; flags for the agent go after `--`: `remcli -- --resume`/, usage: "$ remcli [...args]" },
  { args: ["--started-by", "robot"], error: /--started-by is daemon or terminal/, usage: "$ remcli [...args]" },
  { args: ["--starting-mode", "sideways"], error: /--starting-mode is local or remote/, usage: "$ remcli [...args]" },
  { args: ["daemon", "explode"], error: /unknown command `explode`$/m, usage: "$ remcli daemon <command>" },
  { args: ["daemon", "stauts"], error: /unknown command `stauts`; did you mean `status`\?/, usage: "$ remcli daemon <command>" },
  { args: ["daemon", "status", "--bogus"], error: /unknown option `--bogus`$/m, usage: "$ remcli daemon status" },
  { args: ["daemon", "status", "--jsno"], error: /unknown option `--jsno`; did you mean `--json`\?/, usage: "$ remcli daemon status" },
  { args: ["daemon", "start", "--port", "99999"], error: /--port takes a port number \(0-65535\)/, usage: "$ remcli daemon start" },
  { args: ["daemon", "start", "--port"], error: /option `--port <port>` value is missing/, usage: "$ remcli daemon start" },
  { args: ["daemon", "logs", "-n", "many"], error: /--lines takes a whole number/, usage: "$ remcli daemon logs" },
  { args: ["update"], error: /give either --from <file\|url> or --rollback/, usage: "$ remcli update" },
  { args: ["update", "--form", "x"], error: /unknown option `--form`; did you mean `--from`\?/, usage: "$ remcli update" },
  { args: ["update", "--from", "x", "--sha256", "abc"], error: /--sha256 takes 64 hex digits/, usage: "$ remcli update" },
  { args: ["doctor", "sweep"], error: /unknown command `sweep`/, usage: "$ remcli doctor" },
];

describe("the command line", () => {
  test("--version prints the version and nothing else", async () => {
    await using box = createSandbox();
    const result = await box.cli(["--version"]);
    expect(result).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });

  test("a usage mistake says what is wrong, prints that command's help, exits 2 and starts nothing", async () => {
    await using box = createSandbox();
    for (const { args, error, usage } of MISTAKES) {
      const result = await box.cli(args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect({ args, stderr: result.stderr }).toEqual({ args, stderr: expect.stringMatching(error) });
      expect({ args, stderr: result.stderr }).toEqual({ args, stderr: expect.stringMatching(/^remcli: /) });
      expect({ args, help: result.stdout.includes(`Usage:\n  ${usage}`) }).toEqual({ args, help: true });
    }
    // `remcli --hepl` used to start a daemon on 0.0.0.0 and a session.
    expect(box.row()).toBeNull();
    expect(processesWithHome(box.home)).toEqual([]);
  });

  test("a flag after -- is the agent's, not a usage mistake", async () => {
    await using box = createSandbox();
    // The bad variable stops the command once parsing is done, before it starts anything.
    const result = await box.cli(["--", "--hepl", "--resume"], { env: { REMCLI_HEARTBEAT_MS: "abc" } });
    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain("unknown option");
    expect(result.stderr).toContain("REMCLI_HEARTBEAT_MS");
  });

  test("a bad environment value names the variable, the value, what is expected and the default, exit 2", async () => {
    await using box = createSandbox();
    const heartbeat = await box.cli(["daemon", "status"], { env: { REMCLI_HEARTBEAT_MS: "abc" } });
    expect(heartbeat).toEqual({
      code: 2,
      stdout: "",
      stderr: 'remcli: REMCLI_HEARTBEAT_MS="abc" is not valid: expected a whole number of milliseconds, at least 50 (default 60000)\n',
    });
    const connections = await box.cli(["daemon", "start"], { env: { REMCLI_MAX_CONNECTIONS: "0" } });
    expect(connections.code).toBe(2);
    expect(connections.stderr).toBe('remcli: REMCLI_MAX_CONNECTIONS="0" is not valid: expected a whole number of connections, at least 1 (default 4096)\n');
    expect(box.row()).toBeNull();
    // An empty variable counts as unset.
    const empty = await box.cli(["daemon", "status"], { env: { REMCLI_HEARTBEAT_MS: "" } });
    expect(empty.code).toBe(1);
    expect(empty.stdout).toContain("not running");
  });

  test("--debug works on every command and shows the stack of an unexpected error", async () => {
    await using box = createSandbox();
    const status = await box.cli(["daemon", "status", "--debug"]);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain("not running");
    // A home that is a file: opening the state fails in a way no command expects.
    const file = join(box.home, "not-a-directory");
    writeFileSync(file, "");
    const plain = await box.cli(["daemon", "list"], { env: { REMCLI_HOME: file } });
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/^remcli: .*\(run again with --debug for details\)\n$/);
    const debug = await box.cli(["daemon", "list", "--debug"], { env: { REMCLI_HOME: file } });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at \S+/);
    expect(debug.stderr).not.toContain("run again with --debug");
  });

  test("internal commands are left out of the help but still run", async () => {
    await using box = createSandbox();
    const root = await box.cli(["--help"]);
    const daemon = await box.cli(["daemon", "--help"]);
    for (const help of [root.stdout, daemon.stdout]) {
      expect(help).not.toContain("start-sync");
      expect(help).not.toContain("preflight");
    }
    expect(daemon.stdout).toContain("remcli daemon status --help");
    expect(await box.cli(["daemon", "preflight"])).toEqual({ code: 0, stdout: `ok ${pkg.version}\n`, stderr: "" });
    expect((await box.cli(["daemon", "start-sync", "--help"])).stdout).toContain("$ remcli daemon start-sync");
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
