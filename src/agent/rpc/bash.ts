import { stat } from "node:fs/promises";
import { FILE_RPC_LIMITS, type BashRequest, type BashResponse } from "../../protocol/session-rpc.ts";
import { bashAnswer, commandTimeout, runShell } from "../../shared/shell.ts";
import type { SessionRoot } from "./paths.ts";

export type BashRun = { answer: BashResponse; exitCode: number; bytes: number; timeoutMs: number };

/** The session's `bash`: the command runs in the session directory, or a folder inside it. */
export async function sessionBash(root: SessionRoot, request: BashRequest, rpcTimeoutMs: number): Promise<BashRun> {
  const cwd = await root.confine(request.cwd ?? ".");
  if (!(await stat(cwd)).isDirectory()) throw new Error(`${request.cwd} is not a folder`);
  const timeoutMs = commandTimeout(request.timeout, { ...FILE_RPC_LIMITS.timeout, rpcTimeoutMs });
  const outcome = await runShell(request.command, { cwd, timeoutMs, outputChars: FILE_RPC_LIMITS.outputChars });
  return { answer: bashAnswer(outcome, timeoutMs), exitCode: outcome.exitCode, bytes: outcome.bytes, timeoutMs };
}
