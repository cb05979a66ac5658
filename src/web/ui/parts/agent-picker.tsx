import type { InstalledAgent, MachineMetadata } from "../../../protocol/plaintext.ts";

const NAMES: Record<string, string> = { claude: "Claude Code", gemini: "Gemini CLI", codex: "Codex", opencode: "opencode", cursor: "Cursor" };

/** A session's agent by name, from its `metadata.flavor` (no flavor: Claude Code, as the app assumes). */
export const agentName = (flavor: string | null | undefined): string => NAMES[flavor ?? "claude"] ?? String(flavor);

export type AgentChoice = { kind: string; agent: InstalledAgent };

/**
 * The agents of one machine as its daemon reports them (machine metadata `agents`):
 * those installed, to pick from, and the others with how to install them. A daemon
 * from before that list ran Claude Code whatever was picked, so it offers only that.
 */
export function agentChoices(metadata: MachineMetadata | null | undefined): { installed: AgentChoice[]; missing: AgentChoice[] } {
  const agents = metadata?.agents;
  if (!agents) return { installed: [{ kind: "claude", agent: { displayName: "Claude Code", installed: true, version: null, installHint: "" } }], missing: [] };
  const all = Object.entries(agents).flatMap(([kind, agent]) => (agent ? [{ kind, agent }] : []));
  return { installed: all.filter((c) => c.agent.installed), missing: all.filter((c) => !c.agent.installed) };
}

/** The agent select of the new-session form, with an install hint for each agent this machine lacks. */
export function AgentPicker(props: { host: string; choices: ReturnType<typeof agentChoices>; value: string; onChange: (kind: string) => void }) {
  const { installed, missing } = props.choices;
  return (
    <>
      {installed.length > 0 ? (
        <label>
          Agent
          <select value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
            {installed.map(({ kind, agent }) => (
              <option key={kind} value={kind}>
                {agent.displayName}
                {agent.version ? ` ${agent.version}` : ""}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <p class="error" role="alert">No agent is installed on {props.host}.</p>
      )}
      {missing.length > 0 ? (
        <ul class="agent-hints" aria-label="Agents not installed">
          {missing.map(({ kind, agent }) => (
            <li key={kind}>
              <strong>{agent.displayName}</strong> is not installed. {agent.installHint}.
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}
