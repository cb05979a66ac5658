import type { ToolAsk, ToolVerdict } from "./agent.ts";
import { PermissionAnswer, type AgentState, type PermissionMode } from "./agent-state.ts";
import { truncateStrings } from "./bounded.ts";
import { createToolAllowlist } from "./tool-allowlist.ts";
import type { VersionedValue } from "./versioned-value.ts";

/** Tools that only edit files: what "accept edits" lets through without asking. */
const EDIT_TOOLS = new Set(["Edit", "MultiEdit", "Write", "NotebookEdit"]);
const DEFAULT_DENIAL =
  "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a file edit, the new_string was NOT written to the file). STOP what you are doing and wait for the user to tell you how to proceed.";
/** Completed requests kept in the agent state: enough for the phone's view, bounded. */
const KEEP_COMPLETED = 50;
const MAX_ARGUMENT_CHARS = 20_000;
/** Decisions waiting for their tool result; one that never comes must not pile up. */
const MAX_DECISIONS = 1_000;

/** How the phone decided a tool use, shown beside its result (app `tool_result.permissions`). */
export type ToolDecision = {
  date: number;
  result: "approved" | "denied";
  mode?: PermissionMode;
  allowedTools?: string[];
  decision?: PermissionAnswer["decision"];
};

type Pending = { tool: string; input: Record<string, unknown>; settle: (verdict: ToolVerdict) => void };

/**
 * The agent's tool-use questions, answered from the phone: each open question is an
 * entry of `agentState.requests` keyed by the tool_use id (the app shows its buttons
 * next to that tool call), and the `permission` session RPC answers it. Session-wide
 * allowances and the permission mode answer some questions without asking.
 */
export function createPermissionBroker(deps: {
  agentState: VersionedValue<AgentState>;
  mode: () => PermissionMode;
  onModeChange: (mode: PermissionMode) => void;
  /** Why the agent cannot run in a mode here (e.g. bypass as root), or null. */
  modeUnavailable: (mode: PermissionMode) => string | null;
  /** A line for the phone (a session `message` event). */
  notice: (message: string) => void;
  /** The user chose "abort": the whole turn stops, not only this tool. */
  onAbortTurn: () => void;
  /** A question goes to the phone (not answered by a rule or the mode): the notification channels hear of it. */
  onAsk?: (tool: string, input: Record<string, unknown>) => void;
}) {
  const pending = new Map<string, Pending>();
  const allowlist = createToolAllowlist();
  const decisions = new Map<string, ToolDecision>();
  /** The mode last refused: the app repeats its mode on every message, the reason is said once. */
  let refusedMode: PermissionMode | null = null;

  const complete = (id: string, status: "approved" | "denied" | "canceled", extra: Partial<PermissionAnswer> = {}) =>
    deps.agentState.update((state) => {
      const { [id]: request, ...requests } = state.requests;
      if (!request) return state;
      const entry = { ...request, completedAt: Date.now(), status, reason: extra.reason, mode: extra.mode, decision: extra.decision, allowedTools: extra.allowTools };
      const completed = Object.entries({ ...state.completedRequests, [id]: entry }).slice(-KEEP_COMPLETED);
      return { ...state, requests, completedRequests: Object.fromEntries(completed) };
    });

  const autoAllowed = (ask: ToolAsk): boolean => {
    const mode = deps.mode();
    if (mode === "bypassPermissions") return true;
    if (mode === "acceptEdits" && EDIT_TOOLS.has(ask.tool)) return true;
    return allowlist.allows(ask.tool, ask.input);
  };

  /** The mode the phone asked for if the agent can run in it; else the phone hears why and the mode stays. */
  const acceptMode = (mode: PermissionMode | undefined): PermissionMode | undefined => {
    if (!mode) return undefined;
    const reason = deps.modeUnavailable(mode);
    if (!reason) {
      refusedMode = null;
      return mode;
    }
    if (refusedMode !== mode) deps.notice(`${reason} The permission mode stays "${deps.mode()}".`);
    refusedMode = mode;
    return undefined;
  };

  return {
    acceptMode,

    ask(ask: ToolAsk): Promise<ToolVerdict> {
      if (autoAllowed(ask)) return Promise.resolve({ behavior: "allow" });
      const id = ask.toolUseId;
      void deps.agentState.update((state) => ({
        ...state,
        requests: { ...state.requests, [id]: { tool: ask.tool, arguments: truncateStrings(ask.input, MAX_ARGUMENT_CHARS), createdAt: Date.now() } },
      }));
      deps.onAsk?.(ask.tool, ask.input);
      return new Promise<ToolVerdict>((resolve) => {
        const settle = (verdict: ToolVerdict) => {
          pending.delete(id);
          resolve(verdict);
        };
        pending.set(id, { tool: ask.tool, input: ask.input, settle });
        ask.signal.addEventListener("abort", () => {
          if (!pending.has(id)) return;
          settle({ behavior: "deny", message: "The turn was aborted." });
          void complete(id, "canceled", { reason: "the turn was aborted" });
        }, { once: true });
      });
    },

    /** The `permission` RPC. Unknown or already answered ids change nothing. */
    async answer(params: unknown): Promise<{ ok: boolean; error?: string }> {
      const parsed = PermissionAnswer.safeParse(params);
      if (!parsed.success) return { ok: false, error: "invalid permission answer" };
      const request = pending.get(parsed.data.id);
      if (!request) return { ok: false, error: `no open permission request ${parsed.data.id}` };
      const answer = { ...parsed.data, mode: acceptMode(parsed.data.mode) };
      const sessionRules = answer.approved ? allowlist.add(answer, request.tool, request.input) : [];
      if (answer.mode && answer.mode !== deps.mode()) deps.onModeChange(answer.mode);
      if (decisions.size >= MAX_DECISIONS) decisions.delete(decisions.keys().next().value!);
      decisions.set(answer.id, {
        date: Date.now(),
        result: answer.approved ? "approved" : "denied",
        mode: answer.mode,
        allowedTools: answer.allowTools,
        decision: answer.decision,
      });
      if (answer.approved) request.settle({ behavior: "allow", sessionRules });
      else request.settle({ behavior: "deny", message: answer.reason || DEFAULT_DENIAL, interrupt: answer.decision === "abort" });
      await complete(answer.id, answer.approved ? "approved" : "denied", answer);
      if (answer.decision === "abort") deps.onAbortTurn();
      return { ok: true };
    },

    /** Open questions end unanswered (the mode changes or the session ends). */
    cancelAll(reason: string) {
      for (const [id, request] of [...pending]) {
        request.settle({ behavior: "deny", message: reason });
        void complete(id, "canceled", { reason });
      }
    },

    /** The phone's decision on a tool use, once per tool result. */
    takeDecision(toolUseId: string): ToolDecision | undefined {
      const decision = decisions.get(toolUseId);
      decisions.delete(toolUseId);
      return decision;
    },

    openRequests: () => pending.size,
  };
}

export type PermissionBroker = ReturnType<typeof createPermissionBroker>;
