import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { hookProgram, startNtfy } from "../helpers/notify-sinks.ts";
import { startDaemon, type Daemon } from "../helpers/p2p.ts";
import { eventually, processesWithHome } from "../helpers/sandbox.ts";
import { controlOf } from "../helpers/sessions.ts";

// ntfy against a server on loopback, the command hook with programs written here; one
// daemon for the file, with a short notify timeout so a hung hook is killed quickly.
let daemon: Daemon;
let ntfy: ReturnType<typeof startNtfy>;

beforeAll(async () => {
  ntfy = startNtfy();
  daemon = await startDaemon({ REMCLI_NOTIFY_TIMEOUT_MS: "1500" });
});
afterAll(async () => {
  await daemon?.[Symbol.asyncDispose]();
  ntfy?.[Symbol.dispose]();
});

const notify = (args: string[]) => daemon.box.cli(["notify", ...args]);
// The CLI where its own behaviour is tested; the same signed control routes elsewhere (faster).
const control = async <T>(answer: Promise<{ ok: true; data: T } | { ok: false; error: { message: string } }>): Promise<T> => {
  const result = await answer;
  if (!result.ok) throw new Error(result.error.message);
  return result.data;
};
const statusJson = () => control(controlOf(daemon).call("notifyStatus", {}));
const change = (body: Parameters<ReturnType<typeof controlOf>["call"]>[1]) => control(controlOf(daemon).call("notifyChange", body as never));
const runTest = () => control(controlOf(daemon).call("notifyTest", {}));
const event = (sessionId: string, summary: string) =>
  controlOf(daemon).call("notifyEvent", { sessionId, notice: { kind: "permission", tool: "Bash", summary } });
const log = () => readFileSync(join(daemon.box.home, "logs", "daemon.log"), "utf8");

describe("ntfy", () => {
  test("posts title, message, priority and a link to the app as JSON, with the token, which never shows", async () => {
    const set = await notify(["ntfy", ntfy.topicUrl("my-agents"), "--token", "tk_0123456789secret"]);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain(`${ntfy.topicUrl("my-agents")} (token set)`);
    await event("s-ntfy", "Bash: git push");
    const [published] = await eventually("the publish", () => (ntfy.published.length > 0 ? ntfy.published : undefined));
    expect(published).toEqual({
      authorization: "Bearer tk_0123456789secret",
      body: { topic: "my-agents", title: "Approval needed · remcli", message: "Bash: git push", priority: 4, tags: ["bell"], click: `${daemon.base}/open/s-ntfy` },
    });
    const status = await statusJson();
    expect(status.channels.ntfy).toMatchObject({ url: ntfy.topicUrl("my-agents"), token: true, last: { ok: true } });
    expect(JSON.stringify(status)).not.toContain("tk_0123456789secret");
    expect(log()).not.toContain("tk_0123456789secret");

    // An event switched off for ntfy is not sent there.
    await change({ set: "event", event: "permission", on: false, channel: "ntfy" });
    expect((await statusJson()).channels.ntfy.events).toEqual(["finished", "crashed"]);
    expect((await runTest()).results).toEqual([{ channel: "ntfy", target: expect.stringContaining("ntfy 127.0.0.1"), ok: true, detail: "delivered" }]);
    await event("s-ntfy", "Bash: not sent");
    await eventually("the test notification", () => (ntfy.published.length === 2 ? true : undefined));
    expect(ntfy.published.map((p) => p.body.message)).toEqual(["Bash: git push", "Notifications from this computer reach you here."]);
    await change({ set: "ntfy-off" });
  });
});

describe("the command hook", () => {
  test("runs the program with the event in REMCLI_* variables and as JSON on stdin, never through a shell", async () => {
    using hook = hookProgram();
    await change({ set: "command", argv: [hook.path] });
    const marker = join(hook.dir, "pwned");
    await event("s-hook", `Bash: $(touch ${marker}); \`touch ${marker}\``);
    const [run] = await eventually("the hook run", () => (hook.runs().length > 0 ? hook.runs() : undefined));
    expect(run!.env).toMatchObject({
      REMCLI_EVENT: "permission",
      REMCLI_TITLE: "Approval needed · remcli",
      REMCLI_BODY: `Bash: $(touch ${marker}); \`touch ${marker}\``,
      REMCLI_SESSION_ID: "s-hook",
      REMCLI_COUNT: "1",
      REMCLI_URL: `${daemon.base}/open/s-hook`,
    });
    expect(run!.stdin).toMatchObject({ kind: "permission", body: `Bash: $(touch ${marker}); \`touch ${marker}\``, sessionId: "s-hook", count: 1 });
    expect(existsSync(marker)).toBe(false);
  });

  test("a program that hangs is killed at the timeout and reported; one that fails says why", async () => {
    using hung = hookProgram("sleep 30");
    await change({ set: "command", argv: [hung.path] });
    const started = Date.now();
    const test = await notify(["test", "--json"]);
    expect(test.code).toBe(1);
    expect(JSON.parse(test.stdout).results).toEqual([{ channel: "command", target: hung.path, ok: false, detail: "did not finish within 1500 ms; killed" }]);
    expect(Date.now() - started).toBeLessThan(10_000);
    // The program and the sleep it started are gone.
    await eventually("the hook's processes to be gone", () =>
      processesWithHome(daemon.box.home).every((pid) => !readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("sleep")) ? true : undefined,
    );

    using failing = hookProgram("echo 'no token for the bot' >&2; exit 3");
    await change({ set: "command", argv: [failing.path] });
    expect((await runTest()).results[0]).toMatchObject({ ok: false, detail: "exited with code 3: no token for the bot" });
    await change({ set: "command-off" });
  });

  test("a program that does not exist or is not executable is refused when it is set", async () => {
    const missing = await notify(["command", "./no-such-program"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no-such-program does not exist or is not executable");
    const notExecutable = await controlOf(daemon).call("notifyChange", { set: "command", argv: [join(daemon.box.home, "remcli.db")] });
    expect(notExecutable).toMatchObject({ ok: false, error: { code: "bad_request", message: expect.stringContaining("not executable") } });
  });
});

describe("remcli notify", () => {
  test("usage mistakes are exit 2 with the command's help; the default events are permission, finished and crashed", async () => {
    const unknown = await notify(["on", "coffee"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown event `coffee`: one of permission, finished, ended, crashed, spawn-failed, all");
    const channel = await notify(["on", "ended", "--channel", "pigeon"]);
    expect(channel.code).toBe(2);
    const contact = await notify(["contact", "mailto:me@localhost"]);
    expect(contact.code).toBe(1);
    expect(contact.stderr).toContain("Apple refuses localhost");
    const status = await statusJson();
    expect(status.channels.push.events).toEqual(["permission", "finished", "crashed"]);
    expect(status.channels.command).toMatchObject({ argv: null, events: ["permission", "finished", "crashed"] });
    const all = await notify(["on", "all", "--channel", "push", "--json"]);
    expect(JSON.parse(all.stdout).channels.push.events).toEqual(["permission", "finished", "ended", "crashed", "spawn-failed"]);
  });
});
