import { toBase64 } from "../crypto/encoding.ts";
import { pairingEndpoint, type PairingPayload } from "../protocol/pairing.ts";
import type { ReachAddress } from "../protocol/reach.ts";

// What the QR carries (PROTOCOL.md §1); the secret rides in the URL fragment only. The
// schema lives in protocol/ because the web app parses the same payload.
export type { PairingPayload };

/**
 * The payload for `addresses` (best first, p2p/reach.ts): the first is `host`/`port`, what
 * the reference app dials; the others (but IPv6 literals) go in `alt` (remcli extension) for our app.
 */
export function pairingPayload({ addresses, secret }: { addresses: readonly ReachAddress[]; secret: Uint8Array }): PairingPayload {
  const key = toBase64(secret);
  const [primary, ...others] = addresses;
  if (!primary) throw new Error("no address to pair with");
  // An IPv6 literal is of no use to our app from another page (its CSP cannot name one),
  // and every entry makes the QR denser: those stay in `daemon qr`'s list only.
  const alt = others.map((entry) => entry.url).filter((url) => !url.includes("["));
  const url = new URL(primary.url);
  // Through a tunnel (any https URL) the client uses `host` as the whole endpoint, and port 0.
  const where =
    url.protocol === "https:"
      ? { host: primary.url, port: 0 }
      : { host: url.hostname.replace(/^\[|\]$/g, ""), port: Number(url.port || 80) };
  return { mode: "p2p", ...where, key, v: 1, ...(alt.length > 0 ? { alt } : {}) };
}

export function pairingUrl(payload: PairingPayload): string {
  return `${pairingEndpoint(payload)}/terminal/connect#${encodeURIComponent(JSON.stringify(payload))}`;
}

/** Marks a compact fragment: the key alone, base64url, the rest taken from the page's own address. */
export const COMPACT_KEY_PREFIX = "k=";

/**
 * A shorter link for a QR that must fit a small terminal: `…/terminal/connect#k=<key>`,
 * base64url without padding (~90 characters, a QR of 21 rows instead of 29). Only our web
 * app reads it (src/web/pairing/fragment.ts): it takes host and port from the page it
 * opened. The full link (pairingUrl) is the reference app's format.
 */
export function compactPairingUrl(payload: PairingPayload): string {
  const base = payload.port === 0 ? payload.host.replace(/\/$/, "") : `http://${payload.host}:${payload.port}`;
  const key = payload.key.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  return `${base}/terminal/connect#${COMPACT_KEY_PREFIX}${key}`;
}

/** The QR as half-block characters, two modules per character row. */
export async function renderQr(text: string): Promise<string> {
  // Loaded when a QR is drawn, not by every process that knows about pairing.
  const { default: qrcode } = await import("qrcode-terminal");
  return new Promise((done) => qrcode.generate(text, { small: true }, done));
}
