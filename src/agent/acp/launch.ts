import type { AcpProvider } from "../../protocol/acp.ts";
import type { PermissionMode } from "../../protocol/plaintext.ts";

export type AcpAgentKind = "gemini" | "codex" | "opencode";

/**
 * How to start one ACP agent from the user's own install: its command line (the
 * executables come from `sessions/agents.ts`, in its order), the environment it needs,
 * and which of its session modes stands for each of our permission modes (the first
 * one the agent offers wins; none offered leaves its mode alone).
 */
export type LaunchSpec = {
  kind: AcpAgentKind;
  provider: AcpProvider;
  displayName: string;
  argv(executables: string[], userArgs: string[]): string[];
  env(executables: string[]): Record<string, string>;
  modes: Record<PermissionMode, string[]>;
};

const GEMINI: LaunchSpec = {
  kind: "gemini",
  provider: "gemini",
  displayName: "Gemini CLI",
  // `--experimental-acp` is the deprecated spelling.
  argv: ([gemini], args) => [gemini!, "--acp", ...args],
  // Without it Gemini CLI starts a second node process with a larger heap.
  env: () => ({ GEMINI_CLI_NO_RELAUNCH: "true" }),
  modes: { default: ["default"], acceptEdits: ["autoEdit"], bypassPermissions: ["yolo"], plan: ["plan"] },
};

const CODEX: LaunchSpec = {
  kind: "codex",
  provider: "codex",
  displayName: "Codex",
  argv: ([, adapter], args) => [adapter!, ...args],
  env: ([codex]) => ({
    CODEX_PATH: codex!,
    // The adapter's default "agent" mode sends approvals to a reviewer model, not to the phone.
    INITIAL_AGENT_MODE: "workspace-write",
    // No browser login on a computer driven from a phone.
    NO_BROWSER: "1",
  }),
  modes: {
    default: ["workspace-write"],
    acceptEdits: ["workspace-write"],
    bypassPermissions: ["agent-full-access"],
    plan: ["read-only"],
  },
};

/** opencode asks before nothing by default; the phone should see what it runs. */
const OPENCODE_PERMISSION = JSON.stringify({ bash: "ask", edit: "ask" });

const OPENCODE: LaunchSpec = {
  kind: "opencode",
  provider: "opencode",
  displayName: "opencode",
  argv: ([opencode], args) => [opencode!, "acp", "--pure", ...args],
  env: () => ({
    OPENCODE_PERMISSION,
    // Each start would otherwise npm-install a plugin, update itself, fetch model lists,
    // download language servers, and offer to share sessions.
    OPENCODE_DISABLE_AUTOUPDATE: "1",
    OPENCODE_DISABLE_DEFAULT_PLUGINS: "1",
    OPENCODE_DISABLE_LSP_DOWNLOAD: "1",
    OPENCODE_DISABLE_MODELS_FETCH: "1",
    OPENCODE_DISABLE_SHARE: "1",
    npm_config_offline: "true",
  }),
  modes: { default: ["build"], acceptEdits: ["build"], bypassPermissions: ["build"], plan: ["plan"] },
};

export const LAUNCH_SPECS: Record<AcpAgentKind, LaunchSpec> = { gemini: GEMINI, codex: CODEX, opencode: OPENCODE };
