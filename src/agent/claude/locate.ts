import { accessSync, constants, statSync } from "node:fs";

export const INSTALL_HINT = "Install it with `npm install -g @anthropic-ai/claude-code` (or set REMCLI_CLAUDE_PATH to its path)";

/**
 * The user's own `claude`: REMCLI_CLAUDE_PATH when set, else the first on PATH. Never
 * the copy inside the SDK's optional platform package — remcli drives the Claude
 * Code the user installed, updates and logs in to.
 */
export function locateClaude(configured: string | undefined): { ok: true; executable: string } | { ok: false; message: string } {
  if (configured) {
    if (isExecutableFile(configured)) return { ok: true, executable: configured };
    return { ok: false, message: `Claude Code was not found at REMCLI_CLAUDE_PATH=${configured}. ${INSTALL_HINT}.` };
  }
  const found = Bun.which("claude");
  if (found) return { ok: true, executable: found };
  return { ok: false, message: `Claude Code (\`claude\`) is not installed on this computer or not on PATH. ${INSTALL_HINT}.` };
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
