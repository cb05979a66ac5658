import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fakeMessagesApi } from "../fixtures/model-apis/anthropic-messages.ts";
import { fakeChatCompletionsApi } from "../fixtures/model-apis/chat-completions.ts";
import { fakeGeminiApi } from "../fixtures/model-apis/gemini.ts";
import { fakeResponsesApi } from "../fixtures/model-apis/openai-responses.ts";
import type { FakeApi } from "../fixtures/model-apis/serve.ts";

// The real agent CLIs, where installed, each set up in a temp HOME against a local
// fake of its model API on loopback: nothing leaves the machine.

export type Real = {
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

export const REAL_AGENTS: Real[] = [
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


/** The daemon environment that runs `real` in `home` against `api`, or null when it is not installed. */
export function realAgentEnv(real: Real, home: string, api: FakeApi): Record<string, string> | null {
  return real.found.ok ? { ...real.found.env, HOME: home, ...real.configure(home, api) } : null;
}

/**
 * The real Claude Code: REMCLI_REAL_CLAUDE, else the copy the Agent SDK's platform
 * package installs in node_modules, else `claude` on PATH. Run against the fake
 * Messages API in a temp HOME: an API key login, no telemetry, no update checks.
 */
export const REAL_CLAUDE = {
  agent: "claude" as const,
  executable(): string | null {
    const bundled = join(import.meta.dir, "..", "..", "node_modules", "@anthropic-ai", `claude-agent-sdk-${process.platform}-${process.arch}`, "claude");
    const candidates = [process.env.REMCLI_REAL_CLAUDE, bundled, Bun.which("claude")];
    return candidates.find((path): path is string => Boolean(path) && existsSync(path!)) ?? null;
  },
  fakeApi: fakeMessagesApi,
  env(home: string, api: FakeApi): Record<string, string> | null {
    const executable = REAL_CLAUDE.executable();
    if (!executable) return null;
    return {
      HOME: home,
      REMCLI_CLAUDE_PATH: executable,
      REMCLI_CLAUDE_PROJECTS_DIR: join(home, ".claude", "projects"),
      ANTHROPIC_BASE_URL: api.url,
      ANTHROPIC_API_KEY: "sk-ant-offline-test-key",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_AUTOUPDATER: "1",
      DISABLE_TELEMETRY: "1",
      DISABLE_ERROR_REPORTING: "1",
    };
  },
  reply: "Hello from fake claude",
};
