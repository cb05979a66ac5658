import { useState } from "preact/hooks";
import type { AgentModel } from "../../../protocol/plaintext.ts";
import type { SessionView } from "../../sync/views.ts";
import { rememberPreference } from "../preference.ts";

/** "Let the agent choose": sent as `meta.model: "default"`, which resets an earlier choice. */
export const DEFAULT_MODEL = "default";

/** Claude Code's model aliases, offered until the session reports the models its agent accepts. */
export const CLAUDE_ALIASES: AgentModel[] = [
  { value: DEFAULT_MODEL, displayName: "Default model" },
  { value: "sonnet", displayName: "Sonnet" },
  { value: "opus", displayName: "Opus" },
  { value: "haiku", displayName: "Haiku" },
];

/** The models to offer for a session: what its agent reported, else Claude's aliases for a Claude session. */
export function modelChoices(session: SessionView | undefined): AgentModel[] {
  const reported = session?.metadata?.models ?? [];
  if (reported.length > 0) return reported.some((m) => m.value === DEFAULT_MODEL) ? reported : [CLAUDE_ALIASES[0]!, ...reported];
  const flavor = session?.metadata?.flavor;
  return !flavor || flavor === "claude" ? CLAUDE_ALIASES : [];
}

const modelKey = (sessionId: string) => `remcli.model.${sessionId}`;

/** A model picked on the New session screen: the session's first message carries it. */
export function rememberSessionModel(sessionId: string, model: string): void {
  rememberPreference(modelKey(sessionId), model);
}

/**
 * The model picked for a session, remembered on this phone and sent with each message;
 * null until one is picked, so the agent's own choice (or `--model`) stands.
 */
export function useSessionModel(sessionId: string) {
  const key = modelKey(sessionId);
  const [model, setModel] = useState<string | null>(() => localStorage.getItem(key));
  return [model, (next: string) => {
    rememberPreference(key, next);
    setModel(next);
  }] as const;
}

export function ModelPicker({ choices, value, onChange }: { choices: readonly AgentModel[]; value: string; onChange: (next: string) => void }) {
  // A choice the agent no longer lists stays visible, so the select never shows another one.
  const all = choices.some((m) => m.value === value) ? choices : [...choices, { value, displayName: value }];
  return (
    <select aria-label="Model" class="model-picker" value={value} onChange={(e) => onChange(e.currentTarget.value)}>
      {all.map((m) => (
        <option key={m.value} value={m.value} title={m.description}>
          {m.displayName}
        </option>
      ))}
    </select>
  );
}
