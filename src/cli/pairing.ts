import type { RotationReport } from "../protocol/control.ts";
import { readSecret } from "../shared/secret-file.ts";
import type { DaemonRow } from "../store/daemon-state.ts";
import { pairingPayload, pairingUrl, renderQr, type PairingPayload } from "../p2p/qr.ts";
import type { CliContext } from "./context.ts";

export type Pairing = { url: string; payload: PairingPayload };

/** The pairing details of a running daemon, read from its state and secret files. */
export function pairingOf(context: CliContext, daemon: DaemonRow): Pairing | null {
  const secret = readSecret(context.paths.p2pSecret);
  if (!secret || !daemon.p2pHost || !daemon.p2pPort) return null;
  const payload = pairingPayload({
    host: daemon.p2pHost,
    port: daemon.p2pPort,
    secret,
    tunnelUrl: daemon.tunnelUrl,
  });
  return { url: pairingUrl(payload), payload };
}

/** The QR, the URL in text, and what to type when scanning is not possible. */
export async function formatPairing({ url, payload }: Pairing): Promise<string> {
  return [
    "Scan this with your phone to pair:",
    await renderQr(url),
    `  url   ${url}`,
    `  host  ${payload.host}${payload.port ? `   port ${payload.port}` : ""}`,
    `  key   ${payload.key}`,
    "Anyone with this QR or key can reach this daemon; on untrusted Wi-Fi prefer --tunnel (HTTPS).",
  ].join("\n");
}

/** What `qr --rotate` says about the stored sessions: what stays readable, and what cannot. */
export function formatRotation(report: RotationReport): string {
  const { sessions, machines } = report.rewrapped;
  const lines = [
    "New secret: every phone must scan again.",
    `Re-wrapped the keys of ${plural(sessions, "session")} and ${plural(machines, "machine")} for it: their history stays readable.`,
  ];
  if (report.legacy.length > 0) {
    lines.push(
      `${plural(report.legacy.length, "record")} of the legacy variant (no data key, encrypted with the old secret itself) cannot be re-wrapped and can no longer be read:`,
      ...report.legacy.map((r) => `  ${r.scope} ${r.id}`),
    );
  }
  if (report.unreadable.length > 0) {
    lines.push(
      `${plural(report.unreadable.length, "record")} had a key that opened under neither secret (written with another one):`,
      ...report.unreadable.map((r) => `  ${r.scope} ${r.id}`),
    );
  }
  return lines.join("\n");
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;
