import { useState } from "preact/hooks";
import type { PermissionParams } from "../../../protocol/plaintext.ts";
import { ToolInput, toolSubject } from "./tool-call.tsx";

/** Tools whose input is a change to a file, shown as its diff. */
const EDITS = new Set(["Edit", "MultiEdit", "Write"]);

export type PendingPermission = { id: string; tool: string; arguments: unknown };

/**
 * A tool the agent wants to run, waiting for the user: allow once, allow for the rest
 * of the session, or deny with an optional reason the agent gets to read.
 */
export function PermissionCard(props: { request: PendingPermission; answer: (params: PermissionParams) => Promise<void> }) {
  const { request } = props;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [denying, setDenying] = useState(false);
  const [reason, setReason] = useState("");

  const send = async (params: PermissionParams) => {
    setBusy(true);
    setError(null);
    try {
      await props.answer(params);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      setBusy(false);
    }
  };

  const subject = toolSubject(request.tool, request.arguments);
  return (
    <section class="permission" aria-label={`Permission request: ${request.tool}`}>
      <header>
        <strong>{request.tool}</strong> {EDITS.has(request.tool) ? (request.tool === "Write" ? "wants to write" : "wants to change") : "wants to run"}
        {subject ? ":" : ""} <span class="tool-subject">{subject}</span>
      </header>
      {EDITS.has(request.tool) ? (
        // What an edit would write is the question itself: shown, not behind "Details".
        <ToolInput name={request.tool} input={request.arguments} />
      ) : (
        <details class="permission-details">
          <summary>Details</summary>
          <ToolInput name={request.tool} input={request.arguments} />
        </details>
      )}
      {denying ? (
        <form
          class="deny-form"
          onSubmit={(event) => {
            event.preventDefault();
            void send({ id: request.id, approved: false, decision: "denied", ...(reason.trim() ? { reason: reason.trim() } : {}) });
          }}
        >
          <label>
            Why not? (optional, the agent reads it)
            <input type="text" value={reason} onInput={(e) => setReason(e.currentTarget.value)} aria-label="Reason for denying" />
          </label>
          <div class="row">
            <button type="submit" class="danger" disabled={busy}>Deny</button>
            <button type="button" onClick={() => setDenying(false)} disabled={busy}>Back</button>
          </div>
        </form>
      ) : (
        <div class="row permission-actions">
          <button type="button" class="primary" disabled={busy} onClick={() => void send({ id: request.id, approved: true, decision: "approved" })}>
            Allow
          </button>
          <button
            type="button"
            disabled={busy}
            onClick={() => void send({ id: request.id, approved: true, decision: "approved_for_session", allowTools: [request.tool] })}
          >
            Allow for session
          </button>
          <button type="button" class="danger" disabled={busy} onClick={() => setDenying(true)}>
            Deny…
          </button>
        </div>
      )}
      {error ? <p class="error" role="alert">Could not answer: {error}</p> : null}
    </section>
  );
}
