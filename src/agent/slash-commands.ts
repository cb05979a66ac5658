import type { SessionContext } from "./session-context.ts";

const MAX_COMMANDS = 500;
const MAX_NAME = 200;

/** Names as the phone offers them: strings, without the leading "/", each once, bounded. */
export function commandNames(names: readonly unknown[]): string[] {
  const kept = names
    .filter((name): name is string => typeof name === "string" && name.length > 0 && name.length <= MAX_NAME)
    .map((name) => name.replace(/^\//, ""))
    .filter(Boolean);
  return [...new Set(kept)].slice(0, MAX_COMMANDS);
}

/**
 * The slash commands Claude Code's `system`/`init` message lists, less those it marks
 * as bound to its terminal (`terminal_slash_commands`: exit, statusline …), which a
 * phone cannot use. Null for any other message.
 */
export function slashCommandsOf(message: { type: string } & Record<string, unknown>): string[] | null {
  if (message.type !== "system" || message.subtype !== "init" || !Array.isArray(message.slash_commands)) return null;
  const terminalOnly = new Set(Array.isArray(message.terminal_slash_commands) ? message.terminal_slash_commands : []);
  return commandNames(message.slash_commands.filter((name) => !terminalOnly.has(name)));
}

/** Puts the agent's slash commands in the session metadata (`slashCommands`), for the phone's composer. */
export function rememberSlashCommands(ctx: SessionContext, names: string[]): void {
  const known = ctx.link.metadata.get().slashCommands;
  if (Array.isArray(known) && known.join("\n") === names.join("\n")) return;
  void ctx.link.metadata.update((metadata) => ({ ...metadata, slashCommands: names }));
}
