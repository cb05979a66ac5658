import type { LocalAgent, LocalOptions } from "../agent.ts";
import { within } from "../../shared/within.ts";
import { parseClaudeArgs } from "./args.ts";
import { conversationExists, tailTranscripts, transcriptDirFor } from "./transcript.ts";

const STOP_GRACE_MS = 3_000;

/**
 * Claude Code's own interactive UI in this terminal: `claude` with the terminal
 * handed over (inherited stdio), untouched by us. The phone sees the conversation
 * through the transcript Claude Code writes as it goes.
 */
export function startClaudeLocal(options: LocalOptions, projectsDir: string): LocalAgent {
  const args = localArgs(options, conversationExists(projectsDir, options.cwd, options.conversationId));
  const child = Bun.spawn([options.executable, ...args], {
    cwd: options.cwd,
    stdio: ["inherit", "inherit", "inherit"],
  });
  const exited = child.exited;
  const transcriptDir = transcriptDirFor(projectsDir, options.cwd);

  return {
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      if (!(await within(exited, STOP_GRACE_MS))) child.kill("SIGKILL");
      await exited;
    },
    mirror(onEntry, onConversationId) {
      return tailTranscripts({ dir: transcriptDir, onEntry, onConversationId });
    },
  };
}

/**
 * The user's flags with the conversation pinned: an existing one is resumed, a new
 * one gets the id we chose, so its transcript is found at once. Only the first launch
 * lets the user's own `--resume` / `-c` pick it.
 */
function localArgs(options: LocalOptions, exists: boolean): string[] {
  const parsed = parseClaudeArgs(options.args);
  if (options.firstLaunch && (parsed.resume || parsed.continueLast)) return [...options.args];
  if (exists) return [...parsed.rest, "--resume", options.conversationId];
  return [...parsed.rest, "--session-id", options.conversationId];
}
