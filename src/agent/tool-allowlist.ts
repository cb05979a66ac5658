import type { PermissionAnswer } from "./agent-state.ts";

/**
 * What the user allowed "for this session": whole tools by name, and Bash commands
 * by exact text (`Bash(npm test)`) or prefix (`Bash(npm run:*)`). A bare "Bash" is
 * never taken as "every command": the phone must name what it allows.
 */
export function createToolAllowlist() {
  const tools = new Set<string>();
  const bashExact = new Set<string>();
  const bashPrefixes = new Set<string>();

  const addRule = (rule: string) => {
    const bash = /^Bash\((.+)\)$/.exec(rule);
    if (!bash) {
      if (rule !== "Bash") tools.add(rule);
      return;
    }
    const command = bash[1]!;
    if (command.endsWith(":*")) bashPrefixes.add(command.slice(0, -2));
    else bashExact.add(command);
  };

  return {
    add(answer: PermissionAnswer, tool: string, input?: Record<string, unknown>) {
      for (const rule of answer.allowTools ?? []) addRule(rule);
      if (answer.decision !== "approved_for_session" || (answer.allowTools?.length ?? 0) > 0) return;
      const command = input?.command;
      if (tool === "Bash") {
        if (typeof command === "string") bashExact.add(command);
        return;
      }
      tools.add(tool);
    },
    allows(tool: string, input: Record<string, unknown>): boolean {
      if (tool !== "Bash") return tools.has(tool);
      const command = input.command;
      if (typeof command !== "string") return false;
      if (bashExact.has(command)) return true;
      for (const prefix of bashPrefixes) if (command.startsWith(prefix)) return true;
      return false;
    },
  };
}
