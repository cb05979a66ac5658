import type { SessionState } from "../../sync/views.ts";

const LABEL: Record<SessionState, string> = {
  thinking: "thinking",
  "needs-approval": "needs approval",
  idle: "idle",
  offline: "ended",
};

/** The session's state as a word and a colour, never colour alone. */
export function StateBadge({ state }: { state: SessionState }) {
  return <span class={`badge badge-${state}`}>{LABEL[state]}</span>;
}
