import type { Config } from "../../shared/env.ts";

export const BYPASS_AS_ROOT =
  'Bypass permissions is not available: Claude Code refuses to skip permission checks when it runs as root. Start the daemon with IS_SANDBOX=1 to allow it, only in a container or VM you can throw away.';

/**
 * Whether Claude Code would accept `--allow-dangerously-skip-permissions` here. It
 * exits at once when given it as root (uid 0, not on Windows) unless IS_SANDBOX=1 or
 * its bubblewrap sandbox is set — its own test, read from Claude Code 2.1.332.
 */
export function claudeMayBypass(config: Pick<Config, "claudeSandboxed">): boolean {
  return process.platform === "win32" || process.getuid?.() !== 0 || config.claudeSandboxed;
}
