import { createCipher } from "../crypto/session-cipher.ts";
import { SessionMetadata } from "../protocol/plaintext.ts";
import { AgentKind } from "../protocol/rpc.ts";
import type { SpawnRequest } from "../sessions/spawn-session.ts";
import type { SessionTracker } from "../sessions/tracker.ts";
import { fail, ok, type Result } from "../shared/result.ts";
import type { Store } from "../store/store.ts";

/**
 * What resuming session `sessionId` means: the same agent (`metadata.flavor`) in the
 * same directory, continuing the same session record. The daemon reads the metadata
 * as the phone does, with the shared secret; a session still running is not resumed.
 */
export function resumeRequest(deps: { store: Store; tracker: SessionTracker; secret: () => Uint8Array }, sessionId: string): Result<SpawnRequest> {
  const target = resumeTarget(deps, sessionId);
  if (!target.ok && target.error.code === "not_found") return target;
  if (deps.tracker.list().some((s) => s.sessionId === sessionId && s.alive)) return fail("already_running", `session ${sessionId} is still running`);
  return target;
}

/** The agent, directory and tag a resume of `sessionId` would start, whether or not it runs now. */
export function resumeTarget(deps: { store: Store; secret: () => Uint8Array }, sessionId: string): Result<SpawnRequest> {
  const session = deps.store.sessions.get(sessionId);
  if (!session) return fail("not_found", `no session ${sessionId} to resume`);
  const metadata = SessionMetadata.safeParse(createCipher(deps.secret(), session.dataEncryptionKey).decrypt(session.metadata));
  if (!metadata.success || !metadata.data.path) return fail("bad_request", `session ${sessionId} cannot be read with this pairing's key`);
  const agent = AgentKind.safeParse(metadata.data.flavor ?? "claude");
  if (!agent.success) return fail("unavailable", `session ${sessionId} ran an agent remcli does not know (${metadata.data.flavor})`);
  return ok({ directory: metadata.data.path, agent: agent.data, resumeTag: session.tag });
}

/** Sessions being resumed or restarted now, by id (one daemon per home, so per process). */
const resuming = new Set<string>();

/**
 * Runs one resume or restart of `sessionId` at a time: two at once (a double tap on
 * Resume, two `restart-session`) would both find the session ended and both spawn it,
 * leaving two processes writing into one session.
 */
export async function oneResumeAtATime<T>(sessionId: string, work: () => Promise<Result<T>>): Promise<Result<T>> {
  if (resuming.has(sessionId)) return fail("conflict", `session ${sessionId} is already being restarted or resumed; try again when that is done`);
  resuming.add(sessionId);
  try {
    return await work();
  } finally {
    resuming.delete(sessionId);
  }
}
