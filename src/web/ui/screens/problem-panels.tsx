import type { Link } from "../../sync/link.ts";
import { hostLabel } from "../parts/link-banner.tsx";

/** The daemon refuses our token: `remcli daemon qr --rotate` made a new secret. */
export function RotatedPanel({ link, forget }: { link: Link; forget: () => void }) {
  return (
    <section class="panel panel-problem" aria-labelledby={`rotated-${link.pairing.id}`}>
      <h2 id={`rotated-${link.pairing.id}`}>This pairing no longer works</h2>
      <p>
        The daemon at <strong>{hostLabel(link)}</strong> refused this phone's key. Its secret was changed
        (<code>remcli daemon qr --rotate</code>), so every phone has to pair again.
      </p>
      <p>
        On the computer, run <code>remcli daemon qr</code> and scan the new QR code with this phone, or paste its
        link under "No camera? Pair by hand".
      </p>
      <button type="button" onClick={forget}>Forget this pairing</button>
    </section>
  );
}

/** Never reached since this page opened: say so plainly, and keep trying in the background. */
export function UnreachablePanel({ link, forget }: { link: Link; forget: () => void }) {
  const reason = link.status.kind === "offline" ? link.status.reason : "";
  return (
    <section class="panel panel-problem" aria-labelledby={`unreachable-${link.pairing.id}`}>
      <h2 id={`unreachable-${link.pairing.id}`}>Can't reach {hostLabel(link)}</h2>
      <p>
        The remcli daemon on that computer does not answer. Check that the computer is awake and on the same
        network as this phone, and that the daemon runs: <code>remcli daemon start</code> (or <code>remcli daemon status</code> to see why it stopped).
      </p>
      <p class="muted">This page keeps trying and connects as soon as the daemon answers.{reason ? ` (${reason})` : ""}</p>
      <button type="button" onClick={forget}>Forget this pairing</button>
    </section>
  );
}

/** Pairings are kept per address; another daemon's pairing is used from that daemon's own page. */
export function ElsewherePanel({ link, forget }: { link: Link; forget: () => void }) {
  const { pairing } = link;
  const payload = { mode: "p2p", host: pairing.host, port: pairing.port, key: pairing.key, v: 1 };
  return (
    <section class="panel" aria-labelledby={`elsewhere-${pairing.id}`}>
      <h2 id={`elsewhere-${pairing.id}`}>{hostLabel(link)}</h2>
      <p class="muted">This computer's daemon serves its own page; open it there.</p>
      <div class="row">
        <a class="button" href={`${pairing.endpoint}/terminal/connect#${encodeURIComponent(JSON.stringify(payload))}`}>
          Open {hostLabel(link)}
        </a>
        <button type="button" onClick={forget}>Forget</button>
      </div>
    </section>
  );
}
