import { mkdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import type { SpawnOutcome, SpawnSessionParams } from "../protocol/rpc.ts";
import { fail, ok, type Result } from "../shared/result.ts";
import type { SessionTracker } from "./tracker.ts";

export type SpawnRequest = Pick<SpawnSessionParams, "directory" | "approvedNewDirectoryCreation">;
/** Spawning as the control API and the machine RPC call it, bound to the daemon's tracker. */
export type Spawn = (request: SpawnRequest) => Promise<Result<SpawnOutcome>>;

function expandHome(directory: string): string {
  if (directory === "~") return homedir();
  if (directory.startsWith("~/")) return join(homedir(), directory.slice(2));
  return directory;
}

/**
 * The one path for spawning from the phone (machine RPC) and from the control API:
 * a missing directory is created only once the user approved it.
 */
export async function spawnSessionIn(
  tracker: SessionTracker,
  request: SpawnRequest,
): Promise<Result<SpawnOutcome>> {
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
  const spawned = await tracker.spawn(directory);
  return spawned.ok ? ok({ type: "success", sessionId: spawned.data.sessionId }) : spawned;
}
