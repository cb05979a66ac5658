import type { PermissionAnswer } from "./agent-state.ts";

/** A rule as Claude Code takes it in a permission update (the SDK's `PermissionRuleValue`). */
export type SessionRule = { toolName: string; ruleContent?: string };

/** Tools whose input is a shell command: a bare name would allow every command. */
const SHELL_TOOLS = new Set(["Bash", "PowerShell"]);
/**
 * Shell syntax that chains, nests or redirects commands: `&&`, `||`, `;`, `|`, `&`,
 * backticks, `$(`, `<(`, `>(`, `>`, `<`, newlines. `npm run x && curl … | sh` starts
 * with `npm run` but runs more than `npm run`, so a prefix never matches across it.
 */
const SHELL_OPERATOR = /[;&|`<>\n\r]|\$\(/;
/** Tool names Claude Code reads as exactly that tool (an `mcp__server` name means the whole server). */
const PLAIN_TOOL_NAME = /^(?!mcp__)[A-Za-z][A-Za-z0-9_]*$/;
/** Rules kept per session; past this, "allow for session" allows only the one use. */
const MAX_RULES = 1_000;

type CommandRule = { tool: string; kind: "exact" | "prefix"; text: string };

/**
 * What the user allowed "for this session". Whole tools by name (`Edit`), and shell
 * commands (`Bash`, `PowerShell`) only as the user named them:
 *
 * - `Bash(npm test)`: exactly that command.
 * - `Bash(npm run:*)` or `Bash(npm run *)`: `npm run` as whole words — `npm run` itself
 *   or followed by a space — and never a command holding a shell operator
 *   (`npm runaway` and `npm run x && curl … | sh` ask again).
 * - A bare `Bash` is never "every command": it means the command that was asked about.
 *
 * Any other form (`Bash(ls*)`, `Bash(* --version)`, `Read(./src/**)`) allows nothing
 * more than its literal text. Each rule is also handed to Claude Code (`add` returns
 * them) where Claude Code reads it the same way, so it need not ask us again.
 */
export function createToolAllowlist() {
  const tools = new Set<string>();
  const commands: CommandRule[] = [];
  const full = () => tools.size + commands.length >= MAX_RULES;

  const allowCommand = (rule: CommandRule): SessionRule | null => {
    const known = commands.some((c) => c.tool === rule.tool && c.kind === rule.kind && c.text === rule.text);
    if (!known && full()) return null;
    if (!known) commands.push(rule);
    // Claude Code reads `*` as a wildcard (a trailing `:*` as a prefix) and `\` as an escape:
    // an exact command holding either stays ours alone.
    if (/[*\\]/.test(rule.text)) return null;
    return { toolName: rule.tool, ruleContent: rule.kind === "prefix" ? `${rule.text}:*` : rule.text };
  };

  const allowTool = (tool: string): SessionRule | null => {
    if (!tools.has(tool) && full()) return null;
    tools.add(tool);
    return PLAIN_TOOL_NAME.test(tool) ? { toolName: tool } : null;
  };

  /** One phone rule; `asked` is the command the user saw, which its own rule always means exactly. */
  const addRule = (rule: string, asked: string | undefined): SessionRule | null => {
    const call = /^([A-Za-z]+)\(([\s\S]+)\)$/.exec(rule);
    if (!call || !SHELL_TOOLS.has(call[1]!)) return SHELL_TOOLS.has(rule) ? null : allowTool(rule);
    const tool = call[1]!;
    const content = call[2]!;
    if (content === asked) return allowCommand({ tool, kind: "exact", text: content });
    const prefix = prefixOf(content);
    if (prefix === undefined) return allowCommand({ tool, kind: "exact", text: content });
    return prefix ? allowCommand({ tool, kind: "prefix", text: prefix }) : null;
  };

  return {
    /**
     * Records what an approving answer allows from now on; returns those rules in the
     * form Claude Code takes (for its own matcher), leaving out any it would read wider.
     */
    add(answer: PermissionAnswer, tool: string, input?: Record<string, unknown>): SessionRule[] {
      const rules = answer.allowTools ?? [];
      if (answer.decision !== "approved_for_session" && rules.length === 0) return [];
      const asked = typeof input?.command === "string" ? input.command : undefined;
      const added = rules.map((rule) => addRule(rule, asked));
      // Our app names just the tool ("Bash"): for a shell that means the command the user saw.
      const namesOnlyTheTool = rules.every((rule) => rule === tool);
      if (SHELL_TOOLS.has(tool) && asked !== undefined && namesOnlyTheTool) added.push(allowCommand({ tool, kind: "exact", text: asked }));
      else if (!SHELL_TOOLS.has(tool) && rules.length === 0) added.push(allowTool(tool));
      return added.filter((rule): rule is SessionRule => rule !== null);
    },

    allows(tool: string, input: Record<string, unknown>): boolean {
      if (!SHELL_TOOLS.has(tool)) return tools.has(tool);
      const command = input.command;
      if (typeof command !== "string") return false;
      return commands.some((rule) => rule.tool === tool && commandMatches(rule, command));
    },
  };
}

/**
 * The prefix of `npm run:*` / `npm run *` (Claude Code's two spellings of one rule),
 * "" for a prefix that names nothing, undefined when the rule is not a prefix rule.
 * A `*` anywhere else is Claude Code's pattern syntax, which we do not take.
 */
function prefixOf(content: string): string | undefined {
  const body = content.endsWith(":*") ? content.slice(0, -2) : content.endsWith(" *") ? content.slice(0, -2) : undefined;
  if (body === undefined) return undefined;
  const prefix = body.trimEnd();
  return prefix.includes("*") ? undefined : prefix;
}

function commandMatches(rule: CommandRule, command: string): boolean {
  if (rule.kind === "exact") return command === rule.text;
  if (SHELL_OPERATOR.test(command)) return false;
  return command === rule.text || command.startsWith(`${rule.text} `);
}
