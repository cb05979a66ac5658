import { describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { fakeClaude, spawnFromPhone } from "../helpers/agent.ts";
import { startDaemon } from "../helpers/p2p.ts";
import { eventually } from "../helpers/sandbox.ts";
import { controlOf, machineRpc } from "../helpers/sessions.ts";

describe("daemon restart-session", () => {
  test("two restarts of one session at once start one process for it, and the other is told a restart is under way", async () => {
    using claude = fakeClaude();
    await using daemon = await startDaemon(claude.env);
    const { sessionId, phone } = await spawnFromPhone(daemon, "restart-twice");
    const control = controlOf(daemon);
    const before = await control.call("list", {});
    if (!before.ok) throw new Error(JSON.stringify(before));
    const oldPid = before.data.sessions.find((s) => s.sessionId === sessionId && s.alive)!.pid;

    const answers = await Promise.all([
      control.call("restartSession", { sessionId }, { timeoutMs: 30_000 }),
      control.call("restartSession", { sessionId }, { timeoutMs: 30_000 }),
    ]);
    const restarted = answers.filter((a) => a.ok);
    const refused = answers.filter((a) => !a.ok);
    expect(restarted).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ ok: false, error: { code: "conflict" } });
    expect(JSON.stringify(refused[0])).toContain("already being restarted");

    // Exactly one live process runs the session now, and it is not the old one.
    const alive = await eventually("the resumed session to be tracked", async () => {
      const listed = await control.call("list", {});
      if (!listed.ok) return undefined;
      const live = listed.data.sessions.filter((s) => s.sessionId === sessionId && s.alive);
      return live.length > 0 ? live : undefined;
    }, 15_000);
    // A second spawn, if any, would report itself within its start timeout.
    await Bun.sleep(1_500);
    const listed = await control.call("list", {});
    if (!listed.ok) throw new Error(JSON.stringify(listed));
    const live = listed.data.sessions.filter((s) => s.sessionId === sessionId && s.alive);
    expect(live.map((s) => s.pid)).toEqual(alive.map((s) => s.pid));
    expect(live).toHaveLength(1);
    expect(live[0]!.pid).not.toBe(oldPid);
    phone.close();
  }, 60_000);

  test("two phone resumes of one ended session at once start it once; the other is told a resume is under way", async () => {
    using claude = fakeClaude();
    await using daemon = await startDaemon(claude.env);
    const { sessionId, phone, directory } = await spawnFromPhone(daemon, "resume-twice");
    const control = controlOf(daemon);
    expect(await control.call("stopSession", { sessionId })).toMatchObject({ ok: true });

    const resume = () => machineRpc(daemon, phone, "spawn-remcli-session", { type: "spawn-in-directory", directory, sessionId });
    const answers = await Promise.all([resume(), resume()]);
    expect(answers.filter((a) => a.type === "success")).toEqual([{ type: "success", sessionId }]);
    expect(answers.filter((a) => a.type === "error").map((a) => a.errorMessage)).toEqual([
      `session ${sessionId} is already being restarted or resumed; try again when that is done`,
    ]);
    await Bun.sleep(1_500);
    const listed = await control.call("list", {});
    if (!listed.ok) throw new Error(JSON.stringify(listed));
    expect(listed.data.sessions.filter((s) => s.sessionId === sessionId && s.alive)).toHaveLength(1);
    phone.close();
  }, 60_000);

  test("a session that could not start again (its directory is gone) is refused before it is stopped, and keeps running", async () => {
    using claude = fakeClaude();
    await using daemon = await startDaemon(claude.env);
    const { sessionId, phone, directory } = await spawnFromPhone(daemon, "restart-gone");
    const control = controlOf(daemon);
    const pidOf = async () => {
      const listed = await control.call("list", {});
      if (!listed.ok) throw new Error(JSON.stringify(listed));
      return listed.data.sessions.find((s) => s.sessionId === sessionId && s.alive)?.pid ?? null;
    };
    const pid = await pidOf();
    expect(pid).not.toBeNull();
    rmSync(directory, { recursive: true, force: true });

    const answer = await control.call("restartSession", { sessionId }, { timeoutMs: 30_000 });
    expect(answer).toMatchObject({ ok: false, error: { code: "conflict" } });
    expect(JSON.stringify(answer)).toContain(`directory ${directory} is gone`);
    expect(await pidOf()).toBe(pid);
    phone.close();
  }, 60_000);
});
