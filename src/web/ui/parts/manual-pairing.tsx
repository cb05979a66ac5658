import { useState } from "preact/hooks";
import { acceptPairing } from "../../pairing/accept.ts";
import { readManualPairing, type ManualEntry } from "../../pairing/manual.ts";
import type { Pairing } from "../../pairing/pairings.ts";
import { InlineCode } from "./inline-code.tsx";

/**
 * Pairing without a camera: paste the link `remcli daemon qr` prints, or type the host,
 * port and key it is made of. The daemon checks the key before anything is stored, as
 * for a scanned QR.
 */
export function ManualPairing({ paired, open = false }: { paired: (pairing: Pairing, notice: string) => void; open?: boolean }) {
  const [by, setBy] = useState<"link" | "fields">("link");
  const [link, setLink] = useState("");
  const [host, setHost] = useState(location.hostname);
  const [port, setPort] = useState(location.port);
  const [key, setKey] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const entry: ManualEntry = by === "link" ? { link } : { host, port, key };
    const read = readManualPairing(entry);
    if (!read.ok) return setProblem(`That did not pair this phone: ${read.reason}.`);
    setBusy(true);
    setProblem(null);
    const accepted = await acceptPairing(read.payload, by === "link" ? "QR" : "key");
    setBusy(false);
    if (!accepted.ok) return setProblem(accepted.problem);
    paired(accepted.pairing, accepted.notice);
  };

  return (
    <details class="panel manual-pairing" open={open}>
      <summary>No camera? Pair by hand</summary>
      <div class="choice" role="radiogroup" aria-label="How to pair">
        <label>
          <input type="radio" name="pair-by" checked={by === "link"} onChange={() => setBy("link")} /> Paste the link
        </label>
        <label>
          <input type="radio" name="pair-by" checked={by === "fields"} onChange={() => setBy("fields")} /> Host, port and key
        </label>
      </div>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        {by === "link" ? (
          <label>
            <span>The link <code>remcli daemon qr</code> prints</span>
            <textarea rows={3} value={link} placeholder="http://192.168.1.20:41234/terminal/connect#…" onInput={(e) => setLink(e.currentTarget.value)} />
          </label>
        ) : (
          <>
            <label>
              <span>Host (IP address or tunnel URL)</span>
              <input value={host} autocapitalize="off" spellcheck={false} onInput={(e) => setHost(e.currentTarget.value)} />
            </label>
            <label>
              <span>Port</span>
              <input value={port} inputMode="numeric" onInput={(e) => setPort(e.currentTarget.value)} />
            </label>
            <label>
              <span>Key</span>
              <input value={key} autocapitalize="off" autocomplete="off" spellcheck={false} onInput={(e) => setKey(e.currentTarget.value)} />
            </label>
            <p class="muted">
              <code>remcli daemon qr</code> on the computer prints them under the QR code.
            </p>
          </>
        )}
        {problem ? (
          <p class="error" role="alert">
            <InlineCode text={problem} />
          </p>
        ) : null}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Checking with the daemon…" : "Pair"}
        </button>
      </form>
    </details>
  );
}
