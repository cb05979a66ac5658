import { toBase64 } from "../crypto/encoding.ts";
import type { PairingPayload } from "../protocol/pairing.ts";

// What the QR carries (PROTOCOL.md §1); the secret rides in the URL fragment only. The
// schema lives in protocol/ because the web app parses the same payload.
export type { PairingPayload };

export function pairingPayload(input: {
  host: string;
  port: number;
  secret: Uint8Array;
  tunnelUrl: string | null;
}): PairingPayload {
  const key = toBase64(input.secret);
  // Through a tunnel the client uses `host` as the whole endpoint, and port 0.
  if (input.tunnelUrl) return { mode: "p2p", host: input.tunnelUrl, port: 0, key, v: 1 };
  return { mode: "p2p", host: input.host, port: input.port, key, v: 1 };
}

export function pairingUrl(payload: PairingPayload): string {
  const base = payload.port === 0 ? payload.host.replace(/\/$/, "") : `http://${payload.host}:${payload.port}`;
  return `${base}/terminal/connect#${encodeURIComponent(JSON.stringify(payload))}`;
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
