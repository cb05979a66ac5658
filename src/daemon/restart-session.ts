import { statSync } from "node:fs";
import { createCipher } from "../crypto/session-cipher.ts";
import { AgentState } from "../protocol/plaintext.ts";
import type { Spawn } from "../sessions/spawn-session.ts";
import type { SessionTracker } from "../sessions/tracker.ts";
import { fail, ok, type Result } from "../shared/result.ts";
import type { Store } from "../store/store.ts";
import { oneResumeAtATime, resumeTarget } from "./resume.ts";

type RestartDeps = { store: Store; tracker: SessionTracker; spawn: Spawn; secret: () => Uint8Array | null; isThinking: (sessionId: string) => boolean };

export type Restarted = { sessionId: string; pid: number; version: string | null };

/**
 * `/restart-session`: a session the daemon spawned, typically one an update left on an
 * older binary, is stopped and resumed on the installed binary — same session id, key,
 * history and conversation (resume.ts). Only when it is idle: not while its agent
 * thinks (its last alive ping) or waits for a permission (its agent state), so nothing
 * is cut. A terminal session is its user's to restart, in that terminal.
 */
export async function restartSession(
  deps: RestartDeps,
  sessionId: string,
): Promise<Result<Restarted>> {
  return oneResumeAtATime(sessionId, () => restartNow(deps, sessionId));
}

async function restartNow(
  deps: RestartDeps,
  sessionId: string,
): Promise<Result<Restarted>> {
  const running = deps.tracker.list().find((s) => s.sessionId === sessionId && s.alive);
  if (!running) return fail("not_found", `no running session ${sessionId}`);
  if (running.startedBy !== "daemon") return fail("bad_request", `session ${sessionId} runs in a terminal: end it there and run \`remcli\` again`);
  const secret = deps.secret();
  if (!secret) return fail("unavailable", "the daemon's P2P server is not up yet");
  const busy = busyWith(deps, secret, sessionId);
  if (busy) return fail("conflict", `session ${sessionId} is not idle (${busy}); try again when it is`);
  // Whether it can start again is known before it is stopped: a restart that fails then would end it for nothing.
  const request = resumeTarget({ store: deps.store, secret: () => secret }, sessionId);
  if (!request.ok) return request;
  if (!isDirectory(request.data.directory)) {
    return fail("conflict", `session ${sessionId}'s directory ${request.data.directory} is gone, so it could not start again there: it keeps running as it is`);
  }
  const stopped = await deps.tracker.stop(sessionId);
  if (!stopped.ok) return stopped;
  const spawned = await deps.spawn(request.data);
  if (!spawned.ok) return spawned;
  const outcome = spawned.data;
  if (outcome.type !== "success") return fail("internal", `session ${sessionId} could not be resumed in its directory`);
  const now = deps.tracker.list().find((s) => s.sessionId === outcome.sessionId && s.alive);
  return ok({ sessionId: outcome.sessionId, pid: now?.pid ?? 0, version: now?.version ?? null });
}

function busyWith(deps: { store: Store; isThinking: (sessionId: string) => boolean }, secret: Uint8Array, sessionId: string): string | null {
  if (deps.isThinking(sessionId)) return "its agent is working";
  const session = deps.store.sessions.get(sessionId);
  if (!session?.agentState) return null;
  const state = AgentState.safeParse(createCipher(secret, session.dataEncryptionKey).decrypt(session.agentState));
  const waiting = state.success ? Object.keys(state.data.requests ?? {}).length : 0;
  return waiting > 0 ? `${waiting} permission request${waiting === 1 ? "" : "s"} waiting` : null;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
