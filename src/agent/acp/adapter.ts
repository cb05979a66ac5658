import type { Config } from "../../shared/env.ts";
import { locateAgent } from "../../sessions/agents.ts";
import type { AgentAdapter } from "../agent.ts";
import { LAUNCH_SPECS, type AcpAgentKind } from "./launch.ts";
import { startAcpRemote } from "./remote.ts";

/**
 * An agent spoken to over the Agent Client Protocol. Only remotely: these agents have
 * no transcript we could mirror, so a terminal session stays with the phone.
 */
export function acpAdapter(kind: AcpAgentKind, config: Config): AgentAdapter {
  const spec = LAUNCH_SPECS[kind];
  return {
    flavor: spec.provider,
    displayName: spec.displayName,
    locate() {
      const located = locateAgent(kind, config);
      return located.ok ? { ok: true, executable: located.executables[0]! } : located;
    },
    conversationKey: "agentSessionId",
    // The agent names its sessions itself (`session/new`).
    newConversationId: () => "",
    // Bypass is ours to grant (the permission broker answers for it): no mode is refused.
    modeUnavailable: () => null,
    startRemote(options) {
      // Codex is two executables (the adapter and codex itself): all of them, as located now.
      const located = locateAgent(kind, config);
      return startAcpRemote(spec, located.ok ? located.executables : [options.executable], options, config);
    },
  };
}
