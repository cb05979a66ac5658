import { runBounded, withCutNote, type CommandOutcome } from "./bounded-command.ts";

/** Time an answer needs after its command ends: the group's grace, encryption, the trip back. */
const ANSWER_HEADROOM_MS = 3_000;

/** The app's bash answer (BashResponse of src/protocol/session-rpc.ts). */
export type BashAnswer = { success: boolean; stdout: string; stderr: string; exitCode: number; error?: string };

/**
 * How long a command may run: what the phone asked (else the default), at most the
 * maximum, and never longer than the daemon waits for the answer, so the phone always
 * hears how the command ended instead of an RPC timeout while it runs on.
 */
export function commandTimeout(requestedMs: number | undefined, bounds: { defaultMs: number; maxMs: number; rpcTimeoutMs: number }): number {
  const wanted = Math.min(requestedMs ?? bounds.defaultMs, bounds.maxMs);
  return Math.max(100, Math.min(wanted, bounds.rpcTimeoutMs - ANSWER_HEADROOM_MS));
}

/** `command` through the POSIX shell (the app's commands are POSIX: `&&`, `2>&1`, `command -v`). */
export function runShell(command: string, options: { cwd: string; timeoutMs: number; outputChars: number }): Promise<CommandOutcome> {
  const argv = process.platform === "win32" ? ["cmd.exe", "/d", "/s", "/c", command] : ["/bin/sh", "-c", command];
  return runBounded(argv, options);
}

/** The app's bash answer: success is exit code 0, as it reads it. */
export function bashAnswer(outcome: CommandOutcome, timeoutMs: number): BashAnswer {
  const answer = {
    success: outcome.exitCode === 0 && !outcome.timedOut,
    stdout: withCutNote(outcome.stdout, outcome.stdoutCut),
    stderr: withCutNote(outcome.stderr, outcome.stderrCut),
    exitCode: outcome.timedOut ? -1 : outcome.exitCode,
  };
  if (outcome.error) return { ...answer, error: outcome.error };
  if (outcome.timedOut) return { ...answer, error: `Command timed out after ${timeoutMs / 1000} s; its process group was killed` };
  if (outcome.exitCode !== 0) return { ...answer, error: `Command exited with code ${outcome.exitCode}` };
  return answer;
}

/** A bash answer for a request that never ran. */
export const bashRefusal = (error: string): BashAnswer => ({ success: false, stdout: "", stderr: error, exitCode: -1, error });
