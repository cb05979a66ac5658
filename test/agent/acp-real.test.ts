import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "bun:test";
import { AppAcpSessionRecord } from "../fixtures/reference-app/acp-record.ts";
import { fakeChatCompletionsApi } from "../fixtures/model-apis/chat-completions.ts";
import { fakeGeminiApi } from "../fixtures/model-apis/gemini.ts";
import { fakeResponsesApi } from "../fixtures/model-apis/openai-responses.ts";
import type { FakeApi } from "../fixtures/model-apis/serve.ts";
import { acpOf } from "../helpers/acp.ts";
import { eventOf, phoneSession } from "../helpers/agent.ts";
import { startDaemon } from "../helpers/p2p.ts";
import { eventually } from "../helpers/sandbox.ts";
import { machineRpc } from "../helpers/sessions.ts";

// The real agent CLIs, where installed (CI installs Gemini CLI), each against a local
// fake of its model API on loopback, in a temp HOME: nothing leaves the machine.

type Real = {
  agent: "gemini" | "codex" | "opencode";
  /** The executables, or why the test cannot run here. */
  found: { ok: true; env: Record<string, string> } | { ok: false; reason: string };
  fakeApi: () => FakeApi;
  /** Writes the agent's configuration into `home` for `api`; returns the environment it needs. */
  configure: (home: string, api: FakeApi) => Record<string, string>;
  reply: string;
  file: string;
};

function find(commands: Array<[command: string, env: string]>, install: string): Real["found"] {
  const env: Record<string, string> = {};
  for (const [command, name] of commands) {
    const path = Bun.which(command);
    if (!path) return { ok: false, reason: `\`${command}\` is not on PATH (${install})` };
    env[name] = path;
  }
  return { ok: true, env };
}

const AGENTS: Real[] = [
  {
    agent: "gemini",
    found: find([["gemini", "REMCLI_GEMINI_PATH"]], "npm install -g @google/gemini-cli@0.61"),
    fakeApi: fakeGeminiApi,
    configure(home, api) {
      mkdirSync(join(home, ".gemini"), { recursive: true });
      const settings = { security: { auth: { selectedType: "gemini-api-key" } }, telemetry: { enabled: false }, privacy: { usageStatisticsEnabled: false } };
      writeFileSync(join(home, ".gemini", "settings.json"), JSON.stringify(settings));
      return { GEMINI_API_KEY: "offline-test-key", GOOGLE_GEMINI_BASE_URL: api.url };
    },
    reply: "Hello from fake gemini",
    file: "made-by-gemini",
  },
  {
    agent: "codex",
    found: find([["codex", "REMCLI_CODEX_PATH"], ["codex-acp", "REMCLI_CODEX_ACP_PATH"]], "npm install -g @openai/codex @agentclientprotocol/codex-acp"),
    fakeApi: fakeResponsesApi,
    configure(home, api) {
      const dir = join(home, ".codex");
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, "config.toml"),
        [
          'model = "fake-model"',
          'model_provider = "fake"',
          "[model_providers.fake]",
          'name = "fake"',
          `base_url = "${api.url}/v1"`,
          'wire_api = "responses"',
          'env_key = "FAKE_OPENAI_KEY"',
          "[analytics]",
          "enabled = false",
          "[feedback]",
          "enabled = false",
          // Otherwise Codex looks up api.github.com at start.
          "[features]",
          "plugins = false",
          "remote_plugin = false",
          "apps = false",
          "tool_suggest = false",
        ].join("\n"),
      );
      return { CODEX_HOME: dir, FAKE_OPENAI_KEY: "offline-test-key" };
    },
    reply: "Hello from fake codex",
    file: "made-by-codex",
  },
  {
    agent: "opencode",
    found: find([["opencode", "REMCLI_OPENCODE_PATH"]], "npm install -g opencode-ai"),
    fakeApi: fakeChatCompletionsApi,
    configure(home, api) {
      const config = join(home, ".config");
      mkdirSync(join(config, "opencode"), { recursive: true });
      const provider = { npm: "@ai-sdk/openai-compatible", name: "Fake", options: { baseURL: `${api.url}/v1`, apiKey: "offline-test-key" }, models: { "fake-model": { name: "Fake model" } } };
      writeFileSync(join(config, "opencode", "opencode.json"), JSON.stringify({ model: "fake/fake-model", provider: { fake: provider }, autoupdate: false, share: "disabled" }));
      return { XDG_CONFIG_HOME: config, XDG_DATA_HOME: join(home, ".local", "share"), XDG_CACHE_HOME: join(home, ".cache"), XDG_STATE_HOME: join(home, ".local", "state") };
    },
    reply: "Hello from fake opencode",
    file: "made-by-opencode",
  },
];

describe("the real agent CLIs over ACP, against fakes of their model APIs", () => {
  for (const real of AGENTS) {
    if (!real.found.ok) console.warn(`skipping the real ${real.agent} test: ${real.found.reason}`);
    const run = real.found.ok ? test : test.skip;

    run(`${real.agent}: a reply, a tool allowed, denied and aborted from the phone, every message in the app's shape`, async () => {
      if (!real.found.ok) return;
      const home = mkdtempSync(join(tmpdir(), `remcli-real-${real.agent}-`));
      const api = real.fakeApi();
      try {
        await using daemon = await startDaemon({ ...real.found.env, HOME: home, ...real.configure(home, api) });
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
