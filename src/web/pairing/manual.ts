import { PairingPayload } from "../../protocol/pairing.ts";
import { readPairingFragment } from "./fragment.ts";

export type ManualEntry = { link: string } | { host: string; port: string; key: string };

/**
 * A pairing typed or pasted by hand, for a phone without a camera: the URL `remcli daemon qr`
 * prints (or just its `#…` part), or the host, port and key it is made of. The result is
 * the same payload a scanned QR gives, or why the input is not one.
 */
export function readManualPairing(entry: ManualEntry): { ok: true; payload: PairingPayload } | { ok: false; reason: string } {
  if ("link" in entry) {
    const text = entry.link.trim();
    const hash = text.indexOf("#");
    if (hash < 0) return { ok: false, reason: "that is not the pairing link: it has no #… part (copy the whole URL `remcli daemon qr` prints)" };
    // A compact link (`#k=<key>`) takes its host and port from the link pasted, else this page.
    const read = readPairingFragment(text.slice(hash), addressOf(text.slice(0, hash)));
    if (read.kind === "pairing") return { ok: true, payload: read.payload };
    return { ok: false, reason: read.kind === "invalid" ? read.reason : "the link's #… part is empty" };
  }
  const host = entry.host.trim().replace(/\/+$/, "");
  const tunnel = /^https?:\/\//i.test(host);
  const port = entry.port.trim() === "" && tunnel ? 0 : Number(entry.port.trim());
  if (!host) return { ok: false, reason: "the host is missing (the computer's IP address, or its tunnel URL)" };
  if (!Number.isInteger(port) || port < (tunnel ? 0 : 1) || port > 65535) return { ok: false, reason: "the port must be a number from 1 to 65535" };
  const parsed = PairingPayload.safeParse({ mode: "p2p", host, port: tunnel ? 0 : port, key: entry.key.trim(), v: 1 });
  if (!parsed.success || !entry.key.trim()) return { ok: false, reason: "the key is missing" };
  return { ok: true, payload: parsed.data };
}

function addressOf(text: string): URL | undefined {
  try {
    return /^https?:\/\//i.test(text) ? new URL(text) : undefined;
  } catch {
    return undefined;
  }
}
