import { AgentKind, SpawnAnswer } from "../../protocol/rpc.ts";
import type { Link } from "./link.ts";
import type { SessionView } from "./views.ts";

/**
 * Asks the session's machine to resume it (`spawn-remcli-session` with `sessionId`,
 * docs/protocol-extensions.md): the daemon reads agent and directory from the
 * session's own metadata, so ours are only what an older daemon would need.
 */
export async function resumeSession(link: Link, session: SessionView): Promise<string> {
  const machineId = session.metadata?.machineId || link.machines()[0]?.id;
  if (!machineId) throw new Error("no computer is paired for this session");
  const agent = AgentKind.safeParse(session.metadata?.flavor ?? "claude");
  const raw = await link.machineRpc(machineId, "spawn-remcli-session", {
    type: "spawn-in-directory",
    directory: session.metadata?.path || "/",
    ...(agent.success ? { agent: agent.data } : {}),
    sessionId: session.id,
  });
  const answer = SpawnAnswer.safeParse(raw);
  if (!answer.success) throw new Error("the daemon gave an answer this app does not understand");
  if (answer.data.type === "error") throw new Error(answer.data.errorMessage);
  if (answer.data.type !== "success") throw new Error(`the directory ${answer.data.directory} is gone`);
  return answer.data.sessionId;
}

/** Whether a terminal holds the session and could take it back from the phone. */
export function terminalCanTakeOver(session: SessionView): boolean {
  if (!session.active || session.agentState?.controlledByUser === true) return false;
  const meta = session.metadata;
  // Runners before `hasTerminal`: a session started in a terminal has one.
  return meta?.hasTerminal ?? meta?.startedBy === "terminal";
}
