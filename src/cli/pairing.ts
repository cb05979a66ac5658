import type { ControlClient } from "../daemon/control/client.ts";
import type { RotationReport } from "../protocol/control.ts";
import type { ReachAddress } from "../protocol/reach.ts";
import { readSecret } from "../shared/secret-file.ts";
import { compactPairingUrl, pairingPayload, pairingUrl, renderQr, type PairingPayload } from "../p2p/qr.ts";
import type { CliContext } from "./context.ts";

export type Pairing = { url: string; payload: PairingPayload; addresses: ReachAddress[] };

/** Every address the running daemon can be reached at, best first; null when it has none yet. */
export async function reachOf(control: ControlClient): Promise<ReachAddress[] | null> {
  const answer = await control.call("reach", {});
  return answer.ok ? answer.data.addresses : null;
}

/** The pairing details of a running daemon: its addresses (asked over control) and secret file. */
export async function pairingOf(context: CliContext, control: ControlClient): Promise<Pairing | null> {
  const secret = readSecret(context.paths.p2pSecret);
  const addresses = await reachOf(control);
  if (!secret || !addresses) return null;
  const payload = pairingPayload({ addresses, secret });
  return { url: pairingUrl(payload), payload, addresses };
}

const KIND_LABEL: Record<ReachAddress["kind"], string> = {
  tunnel: "ngrok tunnel",
  "tailscale-https": "tailscale https",
  bound: "bound address",
  lan: "LAN",
  lan6: "LAN IPv6",
  tailscale: "tailscale",
  magicdns: "tailscale name",
  advertised: "REMCLI_ADVERTISE",
  loopback: "this machine only",
};

/** One line per address, the QR's first. */
export function formatAddresses(addresses: readonly ReachAddress[]): string {
  return addresses.map((entry, index) => `  ${index === 0 ? "*" : " "} ${entry.url}  (${KIND_LABEL[entry.kind]})`).join("\n");
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
export async function formatPairing({ url, payload, addresses }: Pairing, screen: Screen = screenOf()): Promise<string> {
  const details = [
    `Pair your phone: ${screen.isTTY ? "scan the QR below, or " : ""}open this URL on it:`,
    `  url   ${url}`,
    `  host  ${payload.host}${payload.port ? `   port ${payload.port}` : ""}`,
    `  key   ${payload.key}`,
    "Ways in (* in the QR; remcli's app also tries the others, in this order):",
    formatAddresses(addresses),
    "Anyone with this QR or key can reach this daemon; on untrusted Wi-Fi prefer --tunnel or --tailscale (HTTPS).",
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
