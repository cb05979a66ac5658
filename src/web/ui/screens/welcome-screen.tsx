import type { Pairing } from "../../pairing/pairings.ts";
import { InlineCode } from "../parts/inline-code.tsx";
import { ManualPairing } from "../parts/manual-pairing.tsx";

/** No pairing yet (or a broken link): how to pair, in three steps, or by hand. */
export function WelcomeScreen({ problem, paired }: { problem: string | null; paired: (pairing: Pairing, notice: string) => void }) {
  return (
    <main class="screen welcome">
      <h1>remcli</h1>
      {problem ? (
        <p class="error" role="alert">
          <InlineCode text={problem} />
        </p>
      ) : null}
      <section class="panel">
        <h2>Pair this phone with your computer</h2>
        <ol>
          <li>On the computer, run <code>remcli daemon start</code> (or <code>remcli daemon qr</code> if it already runs).</li>
          <li>Scan the QR code it prints with this phone's camera.</li>
          <li>The link opens this app, paired. Nothing to install.</li>
        </ol>
        <p class="muted">Your phone talks to your computer directly; no cloud service sees your sessions.</p>
      </section>
      <ManualPairing paired={paired} />
    </main>
  );
}
