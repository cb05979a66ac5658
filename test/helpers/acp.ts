import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const FIXTURE = join(import.meta.dir, "..", "fixtures", "fake-acp-agent.ts");

export type AcpStyle = "gemini" | "codex" | "opencode";
export type FakeAcp = { dir: string; env: Record<string, string>; [Symbol.dispose](): void };

/** An executable script: `--version` answers like a CLI, anything else runs `body`. */
function script(path: string, body: string) {
  writeFileSync(path, `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "fake 9.9.9"; exit 0; fi\n${body}\n`);
  chmodSync(path, 0o755);
}

/**
 * The fake ACP agent (test/fixtures/fake-acp-agent.ts) installed as Gemini CLI, Codex
 * (the adapter, with a `codex` beside it) or opencode, through REMCLI_<AGENT>_PATH.
 */
export function fakeAcpAgent(style: AcpStyle, extraEnv: Record<string, string> = {}): FakeAcp {
  const dir = mkdtempSync(join(tmpdir(), `remcli-fake-${style}-`));
  const agentPath = join(dir, style === "codex" ? "codex-acp" : style);
  const vars = Object.entries({ FAKE_ACP_STYLE: style, FAKE_ACP_DIR: join(dir, "sessions"), ...extraEnv })
    .map(([name, value]) => `${name}='${value}'`)
    .join(" ");
  script(agentPath, `exec env ${vars} "${process.execPath}" "${FIXTURE}" "$@"`);
  const env: Record<string, string> = {};
  if (style === "gemini") env.REMCLI_GEMINI_PATH = agentPath;
  if (style === "opencode") env.REMCLI_OPENCODE_PATH = agentPath;
  if (style === "codex") {
    const codex = join(dir, "codex");
    script(codex, "exit 0");
    env.REMCLI_CODEX_PATH = codex;
    env.REMCLI_CODEX_ACP_PATH = agentPath;
  }
  return { dir, env, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The `data` of an ACP agent message, or undefined. */
export const acpOf = (message: { body?: any }) =>
  message.body?.role === "agent" && message.body.content?.type === "acp" ? message.body.content.data : undefined;
