import type { SessionConfigOption, SessionModeState, SessionUpdate } from "@agentclientprotocol/sdk";
import { z } from "zod";
import type { PermissionMode } from "../../protocol/plaintext.ts";

/** Models as Gemini CLI and the Codex adapter offer them (`models` of session/new; not yet in the stable schema). */
const ModelState = z.object({
  currentModelId: z.string(),
  availableModels: z.array(z.object({ modelId: z.string() }).passthrough()).max(1_000),
});

export type ConfigRequest =
  | { method: "session/set_config_option"; params: { sessionId: string; configId: string; value: string } }
  | { method: "session/set_mode"; params: { sessionId: string; modeId: string } }
  | { method: "session/set_model"; params: { sessionId: string; modelId: string } };

type Opened = { modes?: SessionModeState | null; configOptions?: SessionConfigOption[] | null; models?: unknown };

const valuesOf = (option: SessionConfigOption): string[] => {
  if (option.type !== "select") return [];
  return option.options.flatMap((entry) => ("group" in entry ? entry.options.map((o) => o.value) : [entry.value]));
};

/**
 * The session's mode and model as the agent reports them, and the request that
 * changes either: a config option of category "mode" / "model" where the agent has
 * one (the newer way), else `session/set_mode` / `session/set_model`.
 */
export function createSessionConfig(sessionId: string, wantedModes: Record<PermissionMode, string[]>, opened: Opened) {
  let options = opened.configOptions ?? [];
  let modes = opened.modes ?? null;
  const parsedModels = ModelState.safeParse(opened.models);
  let models = parsedModels.success ? parsedModels.data : null;

  const byCategory = (category: string) => options.find((o) => o.category === category && o.type === "select");

  const choose = (category: "mode" | "model", wanted: string[]): ConfigRequest | null => {
    const option = byCategory(category);
    if (option) {
      const value = wanted.find((v) => valuesOf(option).includes(v));
      if (!value || option.currentValue === value) return null;
      return { method: "session/set_config_option", params: { sessionId, configId: option.id, value } };
    }
    if (category === "mode" && modes) {
      const modeId = wanted.find((v) => modes!.availableModes.some((m) => m.id === v));
      if (!modeId || modes.currentModeId === modeId) return null;
      return { method: "session/set_mode", params: { sessionId, modeId } };
    }
    if (category === "model" && models) {
      const modelId = wanted.find((v) => models!.availableModels.some((m) => m.modelId === v));
      if (!modelId || models.currentModelId === modelId) return null;
      return { method: "session/set_model", params: { sessionId, modelId } };
    }
    return null;
  };

  return {
    modeRequest: (mode: PermissionMode) => choose("mode", wantedModes[mode]),
    modelRequest: (model: string) => choose("model", [model]),
    /** What a request did, once the agent accepted it (its answer may carry the new options). */
    applied(request: ConfigRequest, answer: unknown) {
      const next = (answer as { configOptions?: SessionConfigOption[] } | null)?.configOptions;
      if (Array.isArray(next)) options = next;
      if (request.method === "session/set_mode" && modes) modes = { ...modes, currentModeId: request.params.modeId };
      if (request.method === "session/set_model" && models) models = { ...models, currentModelId: request.params.modelId };
    },
    observe(update: SessionUpdate) {
      if (update.sessionUpdate === "current_mode_update" && modes) modes = { ...modes, currentModeId: update.currentModeId };
      if (update.sessionUpdate === "config_option_update") options = update.configOptions;
    },
  };
}

export type SessionConfig = ReturnType<typeof createSessionConfig>;
