import type { ControlClient } from "../daemon/control/client.ts";
import { readSecret } from "../shared/secret-file.ts";
import type { ReachAddress } from "../protocol/reach.ts";
import { pairingPayload, pairingUrl, renderQr, type PairingPayload } from "../p2p/qr.ts";
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

/** The QR, the URL in text, and what to type when scanning is not possible. */
export async function formatPairing({ url, payload, addresses }: Pairing): Promise<string> {
  return [
    "Scan this with your phone to pair:",
    await renderQr(url),
    `  url   ${url}`,
    `  host  ${payload.host}${payload.port ? `   port ${payload.port}` : ""}`,
    `  key   ${payload.key}`,
    "Ways in (* in the QR; remcli's app also tries the others, in this order):",
    formatAddresses(addresses),
    "Anyone with this QR or key can reach this daemon; on untrusted Wi-Fi prefer --tunnel or --tailscale (HTTPS).",
  ].join("\n");
}
