import { useEffect, useState } from "preact/hooks";
import type { Links } from "../../links.ts";
import type { Pairing } from "../../pairing/pairings.ts";
import { InlineCode } from "../parts/inline-code.tsx";
import { ManualPairing } from "../parts/manual-pairing.tsx";
import type { Link } from "../../sync/link.ts";
import type { MachineView } from "../../sync/views.ts";
import { navigate, paths } from "../router.ts";
import { LinkBanner } from "../parts/link-banner.tsx";
import { SessionList } from "../sessions/session-list-view.tsx";
import { useLink } from "../use-link.ts";
import { ElsewherePanel, RotatedPanel, UnreachablePanel } from "./problem-panels.tsx";

/** Every paired machine and its sessions, live. */
export function HomeScreen(props: {
  links: Links;
  notice: string | null;
  problem: string | null;
  paired: (pairing: Pairing, notice: string) => void;
}) {
  const { links, notice, problem } = props;
  // "Paired with …" is news once; it goes away by itself.
  const [showNotice, setShowNotice] = useState(notice !== null);
  useEffect(() => {
    setShowNotice(notice !== null);
    const timer = setTimeout(() => setShowNotice(false), 8_000);
    return () => clearTimeout(timer);
  }, [notice]);
  return (
    <main class="screen home">
      <header class="topbar">
        <h1>remcli</h1>
      </header>
      {notice && showNotice ? <p class="notice" role="status">{notice}</p> : null}
      {problem ? (
        <p class="error" role="alert">
          <InlineCode text={problem} />
        </p>
      ) : null}
      {links.all().map((link) => (
        <LinkSection key={link.pairing.id} link={link} forget={() => links.forget(link.pairing.id)} />
      ))}
      <ManualPairing paired={props.paired} />
    </main>
  );
}

function LinkSection({ link, forget }: { link: Link; forget: () => void }) {
  useLink(link);
  const { status } = link;
  if (status.kind === "rotated") return <RotatedPanel link={link} forget={forget} />;
  if (status.kind === "elsewhere") return <ElsewherePanel link={link} forget={forget} />;
  if (!link.known && status.kind === "offline") return <UnreachablePanel link={link} forget={forget} />;
  return (
    <section class="link" aria-label={`Machines at ${link.pairing.host}`}>
      <LinkBanner link={link} />
      {link.machines().map((machine) => (
        <MachineCard key={machine.id} link={link} machine={machine} forget={forget} />
      ))}
      <SessionList link={link} />
    </section>
  );
}

function MachineCard({ link, machine, forget }: { link: Link; machine: MachineView; forget: () => void }) {
  const [confirm, setConfirm] = useState<"stop" | "forget" | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const meta = machine.metadata;
  const online = link.status.kind === "online" && (machine.daemonState?.status ?? "running") === "running";
  const name = meta?.displayName ?? meta?.host ?? "Unknown machine";

  const stopDaemon = async () => {
    setConfirm(null);
    try {
      const answer = (await link.machineRpc(machine.id, "stop-daemon", {})) as { message?: string } | null;
      setMessage(answer?.message ?? "The daemon is stopping.");
    } catch (error) {
      setMessage(`Could not stop the daemon: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  return (
    <article class="card machine" aria-label={`Machine ${name}`}>
      <div class="card-head">
        <h2>{name}</h2>
        <span class={online ? "badge badge-online" : "badge badge-offline"}>{online ? "online" : "offline"}</span>
      </div>
      <p class="muted">
        {[meta?.platform, meta?.remcliCliVersion ? `remcli ${meta.remcliCliVersion}` : null, link.endpoint.replace(/^https?:\/\//, "")]
          .filter(Boolean)
          .join(" · ")}
      </p>
      <div class="row">
        <button type="button" class="primary" disabled={!online} onClick={() => navigate(paths.newSession(link.pairing.id))}>
          New session
        </button>
        <button type="button" onClick={() => navigate(paths.notifications(link.pairing.id))}>Notifications</button>
        <details class="menu">
          <summary aria-label={`More actions for ${name}`}>More</summary>
          <div class="menu-items">
            <button type="button" class="danger" disabled={!online} onClick={() => setConfirm("stop")}>Stop daemon…</button>
            <button type="button" onClick={() => setConfirm("forget")}>Forget this pairing…</button>
          </div>
        </details>
      </div>
      {confirm === "stop" ? (
        <div class="confirm" role="alertdialog" aria-label="Stop the daemon?">
          <p>Stop the daemon on {name}? Its sessions stop too, and this phone can't start it again.</p>
          <div class="row">
            <button type="button" class="danger" onClick={() => void stopDaemon()}>Stop daemon</button>
            <button type="button" onClick={() => setConfirm(null)}>Cancel</button>
          </div>
        </div>
      ) : null}
      {confirm === "forget" ? (
        <div class="confirm" role="alertdialog" aria-label="Forget this pairing?">
          <p>Forget {name}? To use it again, scan its QR code.</p>
          <div class="row">
            <button type="button" class="danger" onClick={forget}>Forget</button>
            <button type="button" onClick={() => setConfirm(null)}>Cancel</button>
          </div>
        </div>
      ) : null}
      {message ? <p role="status">{message}</p> : null}
    </article>
  );
}
