import type { AgentOutput } from "./agent.ts";
import type { SessionContext } from "./session-context.ts";

const MAX_COMMANDS = 500;
const MAX_NAME = 200;

/**
 * The slash commands Claude Code's `system`/`init` message lists, less those it marks
 * as bound to its terminal (`terminal_slash_commands`: exit, statusline …), which a
 * phone cannot use. Null for any other message.
 */
export function slashCommandsOf(output: AgentOutput): string[] | null {
  if (output.type !== "system" || output.subtype !== "init" || !Array.isArray(output.slash_commands)) return null;
  const terminalOnly = new Set(Array.isArray(output.terminal_slash_commands) ? output.terminal_slash_commands : []);
  const names = output.slash_commands
    .filter((name): name is string => typeof name === "string" && name.length > 0 && name.length <= MAX_NAME && !terminalOnly.has(name))
    .map((name) => name.replace(/^\//, ""));
  return [...new Set(names)].slice(0, MAX_COMMANDS);
}

/** Puts the agent's slash commands in the session metadata (`slashCommands`), for the phone's composer. */
export function rememberSlashCommands(ctx: SessionContext, output: AgentOutput): void {
  const commands = slashCommandsOf(output);
  if (!commands) return;
  const known = ctx.link.metadata.get().slashCommands;
  if (Array.isArray(known) && known.join("\n") === commands.join("\n")) return;
  void ctx.link.metadata.update((metadata) => ({ ...metadata, slashCommands: commands }));
}
