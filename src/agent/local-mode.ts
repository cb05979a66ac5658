import { rememberConversation, setControlledByUser, type ModeOutcome, type SessionContext } from "./session-context.ts";

/**
 * The agent's own interactive UI in this terminal, mirrored to the phone from its
 * transcript. The first phone message (or the phone's "switch") hands control to
 * the phone: the local agent is stopped and the same conversation goes on remotely.
 */
export async function runLocalMode(ctx: SessionContext): Promise<ModeOutcome> {
  const located = ctx.adapter.locate();
  if (!located.ok) {
    ctx.announceReady();
    ctx.say(`remcli: ${located.message}`);
    ctx.messages.event({ type: "message", message: located.message });
    return { kind: "end", end: { reason: `${ctx.adapter.displayName} is not installed`, code: 1 } };
  }
  // Phone messages that are already waiting win: they go to the agent first.
  if (ctx.inbox.size() > 0) return { kind: "switch", to: "remote" };
  // An agent without a terminal UI of its own is driven from the phone only.
  if (!ctx.adapter.startLocal) return { kind: "switch", to: "remote" };
  ctx.presence.setMode("local");
  void setControlledByUser(ctx, true);
  ctx.announceReady();

  const local = ctx.adapter.startLocal({
    executable: located.executable,
    cwd: ctx.directory,
    conversationId: ctx.state.conversationId,
    firstLaunch: ctx.state.launches === 0,
    args: ctx.agentArgs,
  });
  ctx.state.launches++;
  const mirror = local.mirror(
    (entry) => ctx.messages.transcriptEntry(entry),
    (id) => rememberConversation(ctx, id),
  );

  let handOver: (() => void) | null = null;
  const phoneTakesOver = new Promise<ModeOutcome>((resolve) => {
    handOver = () => resolve({ kind: "switch", to: "remote" });
  });
  const release = ctx.inbox.listen(() => {
    handOver?.();
    return "declined";
  });
  ctx.handlers.abort = async () => {};
  ctx.handlers.modeChanged = (mode) => {
    ctx.state.permissionMode = mode;
  };
  ctx.handlers.switchTo = (to) => {
    if (to === "remote") handOver?.();
    return true;
  };

  const outcome = await Promise.race<ModeOutcome>([
    local.exited.then((code) => ({
      kind: "end",
      end: { reason: `${ctx.adapter.displayName} exited${code === 0 ? "" : ` with code ${code}`}`, code },
    })),
    phoneTakesOver,
    ctx.ending.then((end) => ({ kind: "end", end })),
  ]);
  release();
  await local.stop();
  mirror.stop();
  ctx.terminal?.reset();
  return outcome;
}
