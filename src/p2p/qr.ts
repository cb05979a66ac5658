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

export async function renderQr(text: string): Promise<string> {
  // Loaded when a QR is drawn, not by every process that knows about pairing.
  const { default: qrcode } = await import("qrcode-terminal");
  return new Promise((done) => qrcode.generate(text, { small: true }, done));
}
