import { useEffect, useState } from "preact/hooks";
import type { Link } from "../../sync/link.ts";
import { urlHost } from "../../../protocol/reach.ts";

/** A short drop is "Reconnecting…"; past this it is explained, with what to do. */
const EXPLAIN_AFTER_MS = 4_000;

/**
 * What is wrong with the connection, in words, with what to do — shown above a screen
 * that keeps its content (a conversation stays readable while the daemon restarts).
 */
export function LinkBanner({ link }: { link: Link }) {
  const status = link.status;
  const where = hostLabel(link);
  const since = status.kind === "offline" ? status.since : null;
  const [, tick] = useState(0);
  useEffect(() => {
    if (since === null) return;
    const timer = setTimeout(() => tick((n) => n + 1), Math.max(0, since + EXPLAIN_AFTER_MS - Date.now()) + 50);
    return () => clearTimeout(timer);
  }, [since]);
  if (status.kind === "offline") {
    const long = Date.now() - status.since > EXPLAIN_AFTER_MS;
    return (
      <div class="banner banner-warn" role="status">
        <strong>{long ? `Can't reach the daemon at ${where}.` : "Reconnecting…"}</strong>
        {long ? (
          <span>
            {" "}Is the computer awake and on this network? If the daemon stopped, start it with <code>remcli daemon start</code>. This page reconnects by itself.
          </span>
        ) : null}
      </div>
    );
  }
  if (status.kind === "connecting") return <div class="banner" role="status">Connecting to {where}…</div>;
  return null;
}

export function hostLabel(link: Link): string {
  const { host, port } = link.pairing;
  return port === 0 ? host.replace(/^https?:\/\//, "") : `${urlHost(host)}:${port}`;
}
