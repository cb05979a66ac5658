/**
 * The Claude Code flags a user gives after `remcli --` (`remcli -- --resume`,
 * `remcli -- -c`, `remcli -- --model opus`). The session needs to know which conversation they pick
 * and which model; everything else goes to the interactive `claude` untouched.
 */
export type ClaudeArgs = {
  /** `--resume <id>` / `-r <id>`: that conversation; `--resume` alone: claude's own picker. */
  resume: string | "pick" | undefined;
  continueLast: boolean;
  model: string | undefined;
  /** The flags without resume / continue / session-id, which the session sets itself. */
  rest: string[];
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseClaudeArgs(args: readonly string[]): ClaudeArgs {
  const parsed: ClaudeArgs = { resume: undefined, continueLast: false, model: undefined, rest: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = splitInline(arg);
    if (flag === "--resume" || flag === "-r") {
      const next = inline ?? args[i + 1];
      if (next !== undefined && UUID.test(next)) {
        parsed.resume = next;
        if (inline === undefined) i++;
      } else {
        parsed.resume = "pick";
      }
    } else if (flag === "--continue" || flag === "-c") {
      parsed.continueLast = true;
    } else if (flag === "--session-id") {
      if (inline === undefined) i++;
    } else {
      if (flag === "--model") parsed.model = inline ?? args[i + 1];
      parsed.rest.push(arg);
    }
  }
  return parsed;
}

function splitInline(arg: string): [string, string | undefined] {
  const at = arg.indexOf("=");
  return arg.startsWith("--") && at > 0 ? [arg.slice(0, at), arg.slice(at + 1)] : [arg, undefined];
}
