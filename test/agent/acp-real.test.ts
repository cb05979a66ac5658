import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "bun:test";
import { AppAcpSessionRecord } from "../fixtures/reference-app/acp-record.ts";
import { acpOf } from "../helpers/acp.ts";
import { eventOf, phoneSession } from "../helpers/agent.ts";
import { startDaemon } from "../helpers/p2p.ts";
import { eventually } from "../helpers/sandbox.ts";
import { REAL_AGENTS, realAgentEnv } from "../helpers/real-agents.ts";
import { machineRpc } from "../helpers/sessions.ts";

// The real agent CLIs, where installed (CI installs Gemini CLI), each against a local
// fake of its model API on loopback, in a temp HOME (test/helpers/real-agents.ts).

describe("the real agent CLIs over ACP, against fakes of their model APIs", () => {
  for (const real of REAL_AGENTS) {
    if (!real.found.ok) console.warn(`skipping the real ${real.agent} test: ${real.found.reason}`);
    const run = real.found.ok ? test : test.skip;

    run(`${real.agent}: a reply, a tool allowed, denied and aborted from the phone, every message in the app's shape`, async () => {
      const home = mkdtempSync(join(tmpdir(), `remcli-real-${real.agent}-`));
      const api = real.fakeApi();
      try {
        await using daemon = await startDaemon(realAgentEnv(real, home, api)!);
        const phone = await daemon.connect();
        const directory = join(home, "project");
        mkdirSync(directory);
        const answer = await machineRpc(daemon, phone, "spawn-remcli-session", { type: "spawn-in-directory", directory, agent: real.agent });
        expect(answer).toMatchObject({ type: "success" });
        const session = await phoneSession(daemon, phone, answer.sessionId);
        const made = join(directory, real.file);
        const ended = (at: number) => session.waitFor("the end of the turn", (m) => eventOf(m)?.type === "ready", at, 60_000);
        const question = () =>
          eventually("the agent's question", async () => Object.keys((await session.state()).agentState?.requests ?? {})[0], 60_000);
        const repliesAfter = async (at: number) =>
          (await session.history()).filter((m) => m.seq > at).map(acpOf).filter((d) => d?.type === "message").map((d) => d.message as string).join("\n");

        const helloAt = await session.send("hello");
        await ended(helloAt);
        expect(await repliesAfter(helloAt)).toContain(real.reply);

        const allowAt = await session.send("please run a tool");
        const allowId = await question();
        expect((await session.state()).agentState.requests[allowId]).toMatchObject({ tool: "Bash", arguments: { command: expect.stringContaining(`touch ${real.file}`) } });
        await session.rpc("permission", { id: allowId, approved: true, decision: "approved" });
        await ended(allowAt);
        expect(existsSync(made)).toBe(true);
        expect(await repliesAfter(allowAt)).toContain("The tool ran.");
        rmSync(made);

        const denyAt = await session.send("please run a tool");
        const denyId = await question();
        await session.rpc("permission", { id: denyId, approved: false, decision: "denied" });
        await ended(denyAt);
        expect(existsSync(made)).toBe(false);

        const abortAt = await session.send("please run a tool");
        await question();
        await session.rpc("abort", {});
        await session.waitFor("the aborted turn", (m) => acpOf(m)?.type === "turn_aborted", abortAt, 30_000);
        await eventually("no open question", async () => (Object.keys((await session.state()).agentState.requests).length === 0 ? true : undefined));
        expect(existsSync(made)).toBe(false);

        const refused = (await session.history()).filter((m) => !AppAcpSessionRecord.safeParse(m.body).success);
        expect(refused.map((m) => m.body)).toEqual([]);
        // The agent's model was our fake: the turns above could not have happened otherwise.
        expect(api.requests.length).toBeGreaterThan(3);
      } finally {
        api.stop();
        rmSync(home, { recursive: true, force: true });
      }
    }, 180_000);
  }
});
