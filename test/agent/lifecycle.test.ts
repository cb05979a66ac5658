import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "bun:test";
import { assistantText, fakeClaude, outputOf, phoneSession } from "../helpers/agent.ts";
import { startDaemon } from "../helpers/p2p.ts";
import { eventually, isAlive } from "../helpers/sandbox.ts";
import { childRows, controlOf, machineRpc } from "../helpers/sessions.ts";

test("kill -9 of the daemon mid-turn: the session reconnects, re-registers, and no message is lost or doubled", async () => {
  using claude = fakeClaude();
  await using daemon = await startDaemon(claude.env);
  let phone = await daemon.connect();
  const directory = join(daemon.box.home, "work", "survivor");
  mkdirSync(directory, { recursive: true });
  const { sessionId } = await machineRpc(daemon, phone, "spawn-remcli-session", { type: "spawn-in-directory", directory });
  let session = await phoneSession(daemon, phone, sessionId);
  await eventually("the agent to be ready", async () => ((await session.state()).version > 0 ? true : undefined));
  const first = await session.send("hello");
  await session.waitFor("the first answer", (m) => assistantText(m) === "echo: hello", first);

  // The agent answers while no daemon is there: the session must keep the answer until one is back.
  const slow = await session.send("slow answer");
  const firstDaemon = daemon.pid;
  process.kill(firstDaemon, "SIGKILL");
  await eventually("the daemon to die", () => (isAlive(firstDaemon) ? undefined : true));
  await Bun.sleep(1_200); // the fake answers "slow" after 800 ms: now, with the daemon gone
  await daemon.restart();

  phone = await daemon.connect();
  session = await phoneSession(daemon, phone, sessionId);
  await session.waitFor("the answer given while the daemon was down", (m) => assistantText(m) === "echo: slow answer", slow, 15_000);
  // The new daemon knows the session again, and its RPCs are served again.
  await eventually("the session to be re-registered", async () => {
    const listed = await controlOf(daemon).call("list", {});
    return listed.ok && listed.data.sessions.some((s) => s.sessionId === sessionId) ? true : undefined;
  });
  const toolAt = await session.send("a tool after the restart");

  await session.rpc("permission", { id: await session.openRequest("Bash"), approved: true });
  await session.waitFor("the tool answer", (m) => assistantText(m) === "Found two files.", toolAt);

  const history = await session.history();
  expect(history.map((m) => m.seq)).toEqual(history.map((_, i) => i + 1));
  const uuids = history.map((m) => outputOf(m)?.uuid).filter(Boolean);
  expect(new Set(uuids).size).toBe(uuids.length);
  expect(history.map(assistantText).filter(Boolean)).toEqual(["echo: hello", "echo: slow answer", "Let me look.", "Found two files."]);

  const stopped = await controlOf(daemon).call("stopSession", { sessionId });
  expect(stopped).toEqual({ ok: true, data: { how: "SIGTERM" } });
  expect(childRows(daemon.box).find((r) => r.sessionId === sessionId)).toMatchObject({ daemonPid: daemon.pid, endReason: "stopped by request with SIGTERM" });
}, 40_000);
