import type { RotationReport } from "../protocol/control.ts";
import { readSecret } from "../shared/secret-file.ts";
import type { DaemonRow } from "../store/daemon-state.ts";
import { compactPairingUrl, pairingPayload, pairingUrl, renderQr, type PairingPayload } from "../p2p/qr.ts";
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

/** Where the pairing is printed: a terminal of this size, or not a terminal (a pipe, a file). */
export type Screen = { isTTY: boolean; rows: number; columns: number };

export function screenOf(stream: NodeJS.WriteStream = process.stdout): Screen {
  return { isTTY: Boolean(stream.isTTY), rows: stream.rows || 24, columns: stream.columns || 80 };
}

const size = (qr: string) => {
  const lines = qr.split("\n").filter((line) => line.length > 0);
  return { rows: lines.length, columns: Math.max(0, ...lines.map((line) => line.length)) };
};

/**
 * The URL and the manual-entry details, then the QR — last, so that on a short terminal
 * the text scrolls away, never the top of the QR. A terminal too small for the full QR
 * gets the compact one (our web app's short link) and says how large the full one needs;
 * one too small for either gets no blocks and says so. Not a terminal: no blocks at all.
 */
export async function formatPairing({ url, payload }: Pairing, screen: Screen = screenOf()): Promise<string> {
  const details = [
    `Pair your phone: ${screen.isTTY ? "scan the QR below, or " : ""}open this URL on it:`,
    `  url   ${url}`,
    `  host  ${payload.host}${payload.port ? `   port ${payload.port}` : ""}`,
    `  key   ${payload.key}`,
    "Anyone with this QR or key can reach this daemon; on untrusted Wi-Fi prefer --tunnel (HTTPS).",
  ];
  if (!screen.isTTY) return details.join("\n");
  const full = (await renderQr(url)).replace(/\n+$/, "");
  // One row stays for the shell prompt that follows.
  const fits = (qr: string) => size(qr).rows + 1 <= screen.rows && size(qr).columns <= screen.columns;
  if (fits(full)) return [...details, full].join("\n");
  const needed = `${size(full).rows + 1} rows and ${size(full).columns} columns`;
  const compact = (await renderQr(compactPairingUrl(payload))).replace(/\n+$/, "");
  if (fits(compact)) {
    return [...details, `The full QR needs ${needed}; this compact one opens the remcli web app (the reference app needs the full one).`, compact].join("\n");
  }
  return [...details, `This terminal is too small for the QR: make it at least ${size(compact).rows + 1} rows high and run \`remcli daemon qr\` again, or open the URL above.`].join("\n");
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
