import { useState } from "preact/hooks";

type Step = { kind: "idle" } | { kind: "resuming" } | { kind: "started" } | { kind: "error"; message: string };

/**
 * In place of the message box once a session has ended: Resume starts the same agent
 * in the same directory on its conversation, and this view goes on with it (the
 * composer comes back when the session is live again).
 */
export function ResumeBar(props: { resume: () => Promise<void>; unavailable: string | null }) {
  const [step, setStep] = useState<Step>({ kind: "idle" });
  const run = async () => {
    setStep({ kind: "resuming" });
    try {
      await props.resume();
      setStep({ kind: "started" });
    } catch (error) {
      setStep({ kind: "error", message: error instanceof Error ? error.message : String(error) });
    }
  };
  return (
    <section class="resume-bar" aria-label="Session ended">
      <p class="muted">
        {step.kind === "started"
          ? "Starting the agent on this conversation…"
          : "This session has ended. Its messages are kept; resume it to go on where it stopped."}
      </p>
      <button type="button" class="primary" disabled={step.kind === "resuming" || props.unavailable !== null} onClick={() => void run()}>
        {step.kind === "resuming" ? "Resuming…" : "Resume"}
      </button>
      {props.unavailable ? <p class="muted">{props.unavailable}</p> : null}
      {step.kind === "error" ? <p class="error" role="alert">Could not resume: {step.message}</p> : null}
    </section>
  );
}
