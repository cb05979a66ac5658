import { useState } from "preact/hooks";
import { SpawnAnswer } from "../../../protocol/rpc.ts";
import type { Link } from "../../sync/link.ts";
import { goBack, navigate, paths } from "../router.ts";
import { AgentPicker, agentChoices } from "../parts/agent-picker.tsx";
import { LinkBanner } from "../parts/link-banner.tsx";
import { useLink } from "../use-link.ts";
import { CLAUDE_ALIASES, DEFAULT_MODEL, ModelPicker, rememberSessionModel } from "../conversation/model-picker.tsx";

type Step = { kind: "form" } | { kind: "starting" } | { kind: "confirm-create"; directory: string } | { kind: "error"; message: string };

/** Directories of earlier sessions on this machine, newest first: the usual places to start again. */
function recentDirectories(link: Link, machineId: string): string[] {
  const seen = new Set<string>();
  for (const session of link.sessions()) {
    const meta = session.metadata;
    if (meta?.path && (!meta.machineId || meta.machineId === machineId)) seen.add(meta.path);
  }
  return [...seen].slice(0, 8);
}

/** Start a session in a directory on one machine (`spawn-remcli-session`, PROTOCOL.md §4). */
export function NewSessionScreen({ link }: { link: Link }) {
  useLink(link);
  const machines = link.machines();
  const [machineId, setMachineId] = useState(machines[0]?.id ?? "");
  const chosen = machines.find((m) => m.id === machineId) ?? machines[0];
  const [directory, setDirectory] = useState("");
  const choices = agentChoices(chosen?.metadata);
  const [picked, setAgent] = useState("");
  // What was picked, while this machine has it; else its first installed agent.
  const agent = choices.installed.some((c) => c.kind === picked) ? picked : (choices.installed[0]?.kind ?? "");
  const [step, setStep] = useState<Step>({ kind: "form" });
  // Claude Code's model for the new session; sent with its first message (model-picker.tsx).
  const [model, setModel] = useState(DEFAULT_MODEL);
  const recent = chosen ? recentDirectories(link, chosen.id) : [];
  const home = chosen?.metadata?.homeDir ?? "";

  const spawn = async (approvedNewDirectoryCreation: boolean) => {
    if (!chosen) return;
    const target = directory.trim().replace(/^~(?=\/|$)/, home);
    if (!target || !agent) return;
    setStep({ kind: "starting" });
    try {
      const raw = await link.machineRpc(chosen.id, "spawn-remcli-session", {
        type: "spawn-in-directory",
        directory: target,
        approvedNewDirectoryCreation,
        agent,
      });
      const answer = SpawnAnswer.safeParse(raw);
      if (!answer.success) return setStep({ kind: "error", message: "the daemon gave an answer this app does not understand" });
      if (answer.data.type === "success") {
        if (agent === "claude" && model !== DEFAULT_MODEL) rememberSessionModel(answer.data.sessionId, model);
        return navigate(paths.session(link.pairing.id, answer.data.sessionId), { replace: true });
      }
      if (answer.data.type === "requestToApproveDirectoryCreation") return setStep({ kind: "confirm-create", directory: answer.data.directory });
      setStep({ kind: "error", message: answer.data.errorMessage });
    } catch (error) {
      setStep({ kind: "error", message: error instanceof Error ? error.message : String(error) });
    }
  };

  return (
    <main class="screen new-session">
      <header class="topbar">
        <button type="button" class="back" aria-label="Back" onClick={goBack}>‹</button>
        <h1>New session</h1>
      </header>
      <LinkBanner link={link} />
      <form
        class="panel"
        onSubmit={(event) => {
          event.preventDefault();
          void spawn(false);
        }}
      >
        {machines.length > 1 ? (
          <label>
            Machine
            <select value={chosen?.id} onChange={(e) => setMachineId(e.currentTarget.value)}>
              {machines.map((m) => (
                <option key={m.id} value={m.id}>{m.metadata?.host ?? m.id}</option>
              ))}
            </select>
          </label>
        ) : (
          <p class="muted">On {chosen?.metadata?.host ?? "this machine"}</p>
        )}
        <label>
          Directory
          <input
            type="text"
            name="directory"
            autoCapitalize="off"
            autoComplete="off"
            spellcheck={false}
            placeholder={home ? `${home}/project` : "/path/to/project"}
            value={directory}
            onInput={(e) => setDirectory(e.currentTarget.value)}
          />
        </label>
        {recent.length > 0 ? (
          <div class="chips" role="group" aria-label="Recent directories">
            {recent.map((path) => (
              <button type="button" key={path} class="chip" onClick={() => setDirectory(path)}>
                {path}
              </button>
            ))}
          </div>
        ) : null}
        <AgentPicker host={chosen?.metadata?.host ?? "this machine"} choices={choices} value={agent} onChange={setAgent} />
        {agent === "claude" ? (
          <label>
            Model
            <ModelPicker choices={CLAUDE_ALIASES} value={model} onChange={setModel} />
          </label>
        ) : null}
        <button type="submit" class="primary" disabled={!directory.trim() || !agent || step.kind === "starting" || link.status.kind !== "online"}>
          {step.kind === "starting" ? "Starting…" : "Start session"}
        </button>
        {step.kind === "error" ? <p class="error" role="alert">Could not start the session: {step.message}</p> : null}
      </form>
      {step.kind === "confirm-create" ? (
        <section class="panel confirm" role="alertdialog" aria-label="Create the directory?">
          <p>
            <strong>{step.directory}</strong> does not exist. Create it and start the session there?
          </p>
          <div class="row">
            <button type="button" class="primary" onClick={() => void spawn(true)}>Create and start</button>
            <button type="button" onClick={() => setStep({ kind: "form" })}>Cancel</button>
          </div>
        </section>
      ) : null}
    </main>
  );
}
