import { mkdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import type { AgentKind, SpawnOutcome, SpawnSessionParams } from "../protocol/rpc.ts";
import type { Config } from "../shared/env.ts";
import { fail, ok, type Result } from "../shared/result.ts";
import { isRunnable, locateAgent } from "./agents.ts";
import type { SessionTracker } from "./tracker.ts";

export type SpawnRequest = Pick<SpawnSessionParams, "directory" | "approvedNewDirectoryCreation"> & {
  /** Claude Code when absent. */
  agent?: AgentKind;
  /** Continue the session of this tag (a resume) instead of starting a new one. */
  resumeTag?: string;
};
/** Spawning as the control API and the machine RPC call it, bound to the daemon's tracker. */
export type Spawn = (request: SpawnRequest) => Promise<Result<SpawnOutcome>>;

function expandHome(directory: string): string {
  if (directory === "~") return homedir();
  if (directory.startsWith("~/")) return join(homedir(), directory.slice(2));
  return directory;
}

/**
 * The one path for spawning from the phone (machine RPC) and from the control API:
 * a missing directory is created only once the user approved it, and an agent that
 * is not installed is refused with how to install it — never replaced by another.
 * (Claude Code is the exception: its session starts anyway, says how to install it,
 * and runs it once it is there.)
 */
export async function spawnSessionIn(
  deps: { tracker: SessionTracker; config: Config },
  request: SpawnRequest,
): Promise<Result<SpawnOutcome>> {
  const agent = request.agent ?? "claude";
  if (!isRunnable(agent)) return fail("unavailable", `remcli cannot run ${agent}; it runs claude, gemini, codex and opencode.`);
  if (agent !== "claude") {
    const located = locateAgent(agent, deps.config);
    if (!located.ok) return fail("unavailable", located.message);
  }
  const expanded = expandHome(request.directory.trim());
  if (!isAbsolute(expanded)) return fail("bad_request", `directory must be an absolute path: ${request.directory}`);
  const directory = resolve(expanded);
  let kind: "directory" | "other" | "missing" = "missing";
  try {
    kind = statSync(directory).isDirectory() ? "directory" : "other";
  } catch {
    kind = "missing";
  }
  if (kind === "other") return fail("bad_request", `not a directory: ${directory}`);
  if (kind === "missing") {
    if (!request.approvedNewDirectoryCreation) return ok({ type: "requestToApproveDirectoryCreation", directory });
    try {
      mkdirSync(directory, { recursive: true });
    } catch (error) {
      return fail("spawn_failed", `could not create ${directory}: ${String(error)}`);
    }
  }
  const spawned = await deps.tracker.spawn(directory, { agent, resumeTag: request.resumeTag });
  return spawned.ok ? ok({ type: "success", sessionId: spawned.data.sessionId }) : spawned;
}
