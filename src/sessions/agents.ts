import { realpathSync, statSync } from "node:fs";
import type { MachineAgents } from "../protocol/plaintext.ts";
import type { AgentKind } from "../protocol/rpc.ts";
import type { Config } from "../shared/env.ts";
import { findExecutable } from "../shared/executable.ts";

/** The agents remcli runs; the app's `cursor` is not one of them (yet). */
export type RunnableAgent = Exclude<AgentKind, "cursor">;
export const RUNNABLE_AGENTS: readonly RunnableAgent[] = ["claude", "gemini", "codex", "opencode"];

type Part = { command: string; envName: string; configured: (config: Config) => string | undefined };
type Entry = { displayName: string; parts: Part[]; install: string };

/** Each agent's executables (the user's own installs) and how to get them. */
const CATALOG: Record<RunnableAgent, Entry> = {
  claude: {
    displayName: "Claude Code",
    parts: [{ command: "claude", envName: "REMCLI_CLAUDE_PATH", configured: (c) => c.claudePath }],
    install: "npm install -g @anthropic-ai/claude-code",
  },
  gemini: {
    displayName: "Gemini CLI",
    parts: [{ command: "gemini", envName: "REMCLI_GEMINI_PATH", configured: (c) => c.agentPaths.gemini }],
    install: "npm install -g @google/gemini-cli",
  },
  codex: {
    displayName: "Codex",
    // Codex has no ACP mode of its own: the ACP adapter drives the user's `codex`.
    parts: [
      { command: "codex", envName: "REMCLI_CODEX_PATH", configured: (c) => c.agentPaths.codex },
      { command: "codex-acp", envName: "REMCLI_CODEX_ACP_PATH", configured: (c) => c.agentPaths.codexAcp },
    ],
    install: "npm install -g @openai/codex @agentclientprotocol/codex-acp",
  },
  opencode: {
    displayName: "opencode",
    parts: [{ command: "opencode", envName: "REMCLI_OPENCODE_PATH", configured: (c) => c.agentPaths.opencode }],
    install: "npm install -g opencode-ai",
  },
};

export type Located = { ok: true; executables: string[] } | { ok: false; message: string };

export const displayNameOf = (kind: RunnableAgent): string => CATALOG[kind].displayName;

export function installHint(kind: RunnableAgent): string {
  const entry = CATALOG[kind];
  return `Install it with \`${entry.install}\` (or set ${entry.parts.map((p) => p.envName).join(" and ")} to its path)`;
}

export function isRunnable(kind: AgentKind): kind is RunnableAgent {
  return kind !== "cursor";
}

/** The executables of `kind`, in the catalog's order, or a message saying what is missing and how to install it. */
export function locateAgent(kind: AgentKind, config: Config): Located {
  if (!isRunnable(kind)) return { ok: false, message: "Cursor is not an agent remcli can run." };
  const entry = CATALOG[kind];
  const executables: string[] = [];
  for (const part of entry.parts) {
    const configured = part.configured(config);
    const found = findExecutable(part.command, configured);
    if (found.ok) {
      executables.push(found.path);
      continue;
    }
    const where = found.configured ? `was not found at ${part.envName}=${configured}` : `(\`${part.command}\`) is not installed on this computer or not on PATH`;
    return { ok: false, message: `${entry.displayName} ${where}. ${installHint(kind)}.` };
  }
  return { ok: true, executables };
}

const VERSION_TIMEOUT_MS = 10_000;
const VERSION = /\d+\.\d+\.\d+[\w.+-]*/;

/** `<executable> --version`, its first version-looking word; null when it does not answer in time. */
async function versionOf(executable: string): Promise<string | null> {
  try {
    const child = Bun.spawn([executable, "--version"], { stdin: "ignore", stdout: "pipe", stderr: "ignore" });
    const timer = setTimeout(() => child.kill("SIGKILL"), VERSION_TIMEOUT_MS);
    const text = await new Response(child.stdout).text();
    clearTimeout(timer);
    await child.exited;
    return VERSION.exec(text)?.[0] ?? null;
  } catch {
    return null;
  }
}

/** An executable as installed now: an update replaces the file behind the same name. */
function identity(path: string): string {
  try {
    const real = realpathSync(path);
    return `${real}@${statSync(real).mtimeMs}`;
  } catch {
    return path;
  }
}

/**
 * Which agents this computer has, for the machine metadata. Locating is a PATH look-up
 * (cheap, done on every refresh); a version is asked once per executable path.
 */
export function createAgentCatalog(config: Config) {
  const versions = new Map<string, string | null>();
  /** Each agent's main executable, or null when it is not installed. */
  const locateAll = () =>
    RUNNABLE_AGENTS.map((kind) => {
      const located = locateAgent(kind, config);
      return { kind, main: located.ok ? located.executables[0]! : null };
    });
  const describe = (found: ReturnType<typeof locateAll>): MachineAgents =>
    Object.fromEntries(
      found.map(({ kind, main }) => [
        kind,
        { displayName: CATALOG[kind].displayName, installHint: installHint(kind), installed: main !== null, version: main ? (versions.get(identity(main)) ?? null) : null },
      ]),
    );
  // Installed or not is known at once; versions follow with the first refresh.
  let current = describe(locateAll());

  return {
    current: (): MachineAgents => current,
    /** Looks again; true when anything changed (an agent installed, removed or updated). */
    async refresh(): Promise<boolean> {
      const found = locateAll();
      for (const { main } of found) {
        if (main && !versions.has(identity(main))) versions.set(identity(main), await versionOf(main));
      }
      const next = describe(found);
      const changed = JSON.stringify(next) !== JSON.stringify(current);
      current = next;
      return changed;
    },
  };
}

export type AgentCatalog = ReturnType<typeof createAgentCatalog>;
