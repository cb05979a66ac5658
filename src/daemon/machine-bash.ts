import { statSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute } from "node:path";
import { FILE_RPC_LIMITS, MachineBashRequest, type BashResponse } from "../protocol/session-rpc.ts";
import type { Log } from "../shared/log.ts";
import { bashAnswer, bashRefusal, commandTimeout, runShell } from "../shared/shell.ts";

/**
 * The machine's `bash` RPC, as the app calls it to detect agent CLIs (`cwd: "/"`, which
 * it means as "wherever a new shell starts": the home folder) and to create git
 * worktrees (`cwd`: the project). Not confined to a folder — spawning a session
 * anywhere is the machine's job too — but bounded like a session's commands: timeout,
 * output, the process group, commands at once.
 */
export function createMachineBash(deps: { rpcTimeoutMs: number; log: Log }) {
  let running = 0;
  return async (params: unknown): Promise<BashResponse> => {
    const started = performance.now();
    const request = MachineBashRequest.safeParse(params);
    if (!request.success) return bashRefusal(`invalid bash request: ${request.error.issues[0]?.message}`);
    const { command, timeout } = request.data;
    const cwd = !request.data.cwd || request.data.cwd === "/" ? homedir() : request.data.cwd;
    const logged = (answer: BashResponse, extra: Record<string, number | string | undefined> = {}) => {
      deps.log.info("machine bash", { command: command.slice(0, 300), cwd, exit: answer.exitCode, ms: Math.round(performance.now() - started), ...extra });
      return answer;
    };
    if (!isAbsolute(cwd) || !statSync(cwd, { throwIfNoEntry: false })?.isDirectory()) {
      return logged(bashRefusal(`cwd ${cwd} is not an existing folder (an absolute path, or "/" for the home folder)`));
    }
    if (running >= FILE_RPC_LIMITS.concurrentCommands) {
      return logged(bashRefusal(`${FILE_RPC_LIMITS.concurrentCommands} commands are already running on this machine; try again when one ends`));
    }
    running++;
    try {
      const timeoutMs = commandTimeout(timeout, { ...FILE_RPC_LIMITS.timeout, rpcTimeoutMs: deps.rpcTimeoutMs });
      const outcome = await runShell(command, { cwd, timeoutMs, outputChars: FILE_RPC_LIMITS.outputChars });
      return logged(bashAnswer(outcome, timeoutMs), { bytes: outcome.bytes });
    } finally {
      running--;
    }
  };
}
