import { accessSync, constants } from "node:fs";
import { resolve } from "node:path";
import { FILE_RPC_LIMITS, type RipgrepRequest, type RipgrepResponse } from "../../protocol/session-rpc.ts";
import { formatBytes, runBounded, withCutNote } from "../../shared/bounded-command.ts";
import { builtinSearch } from "./builtin-search.ts";
import type { SessionRoot } from "./paths.ts";
import { parseRipgrepArgs, ripgrepArgv, type SearchArgs } from "./rg-args.ts";

/** The `rg` to run: the configured one, else the one on PATH; null when neither is there. */
export function locateRipgrep(configured: string | undefined): string | null {
  const candidate = configured ?? Bun.which("rg");
  if (!candidate) return null;
  try {
    accessSync(candidate, constants.X_OK);
    return candidate;
  } catch {
    return null;
  }
}

export type SearchRun = { answer: RipgrepResponse; engine: "rg" | "builtin"; exitCode: number; bytes: number };

/**
 * The `ripgrep` RPC: the arguments are checked (only known flags, nothing that runs a
 * program; paths inside the session directory), then searched by the user's `rg`
 * (spawned with an argv, never a shell) or, without one, by the built-in search. The
 * stdout the app parses stays whole lines; a note about what was cut goes to stderr.
 */
export async function ripgrep(root: SessionRoot, rgPath: string | null, request: RipgrepRequest, timeoutMs: number): Promise<SearchRun> {
  const args = parseRipgrepArgs(request.args);
  const cwd = await root.confine(request.cwd ?? ".");
  const named = await Promise.all(args.paths.map(async (path) => ({ path: await root.confine(resolve(cwd, path)), shown: path })));
  // No path: the folder itself, printed without a prefix as rg prints it.
  const targets = named.length > 0 ? named : [{ path: cwd, shown: "" }];
  if (rgPath) return withRg(rgPath, args, cwd, timeoutMs);

  const found = await builtinSearch(args, targets, { deadline: Date.now() + timeoutMs, maxChars: FILE_RPC_LIMITS.outputChars });
  const stdout = found.lines.length > 0 ? `${found.lines.join("\n")}\n` : "";
  const bytes = Buffer.byteLength(stdout);
  const stderr = found.full ? `${found.stderr}…[truncated: stdout stopped at ${formatBytes(bytes)}, and the search with it]` : found.stderr;
  if (found.timedOut) return { answer: { success: false, exitCode: 2, stdout, stderr, error: `search timed out after ${timeoutMs / 1000} s` }, engine: "builtin", exitCode: 2, bytes };
  return { answer: { success: true, exitCode: found.exitCode, stdout, stderr }, engine: "builtin", exitCode: found.exitCode, bytes };
}

async function withRg(rgPath: string, args: SearchArgs, cwd: string, timeoutMs: number): Promise<SearchRun> {
  const ran = await runBounded([rgPath, ...ripgrepArgv(args)], { cwd, timeoutMs, outputChars: FILE_RPC_LIMITS.outputChars });
  if (ran.error) return { answer: { success: false, error: ran.error }, engine: "rg", exitCode: -1, bytes: 0 };
  // A line cut in the middle would read as a wrong path: keep whole lines only.
  const whole = ran.stdoutCut > 0 ? ran.stdout.slice(0, ran.stdout.lastIndexOf("\n") + 1) : ran.stdout;
  const cut = ran.stdoutCut + Buffer.byteLength(ran.stdout) - Buffer.byteLength(whole);
  const stderr = withCutNote(withCutNote(ran.stderr, ran.stderrCut), cut, "stdout");
  const answer: RipgrepResponse = ran.timedOut
    ? { success: false, exitCode: 2, stdout: whole, stderr, error: `ripgrep timed out after ${timeoutMs / 1000} s` }
    : { success: true, exitCode: ran.exitCode, stdout: whole, stderr };
  return { answer, engine: "rg", exitCode: ran.exitCode, bytes: ran.bytes };
}
