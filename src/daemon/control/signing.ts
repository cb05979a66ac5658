import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADERS = {
  timestamp: "x-remcli-timestamp",
  nonce: "x-remcli-nonce",
  signature: "x-remcli-signature",
} as const;

export const MAX_CLOCK_SKEW_MS = 30_000;

type Signed = { method: string; path: string; timestamp: string; nonce: string; body: string };

function canonical({ method, path, timestamp, nonce, body }: Signed): string {
  const bodyHash = createHash("sha256").update(body).digest("hex");
  return [method.toUpperCase(), path, timestamp, nonce, bodyHash].join("\n");
}

function hmac(key: Uint8Array, message: string): Buffer {
  return createHmac("sha256", key).update(message).digest();
}

/** Headers that authenticate one request: the key itself never travels. */
export function signRequest(
  key: Uint8Array,
  request: { method: string; path: string; body: string },
  now = Date.now(),
): Record<string, string> {
  const timestamp = String(now);
  const nonce = randomBytes(16).toString("hex");
  const signature = hmac(key, canonical({ ...request, timestamp, nonce })).toString("hex");
  return {
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signature]: signature,
  };
}

export type VerifyFailure = "missing signature" | "bad signature" | "stale timestamp" | "replayed nonce";

type Header = (name: string) => string | undefined;

/**
 * What can be refused from the headers alone, before a byte of the body is read:
 * missing or malformed signature fields and a timestamp outside the skew window.
 */
export function headerFailure(header: Header, at: number = Date.now()): VerifyFailure | null {
  const timestamp = header(SIGNATURE_HEADERS.timestamp);
  const nonce = header(SIGNATURE_HEADERS.nonce);
  const signature = header(SIGNATURE_HEADERS.signature);
  if (!timestamp || !nonce || !signature) return "missing signature";
  if (!/^[0-9a-f]{64}$/.test(signature) || !/^[0-9a-f]{16,64}$/.test(nonce)) return "bad signature";
  if (!/^\d+$/.test(timestamp) || Math.abs(at - Number(timestamp)) > MAX_CLOCK_SKEW_MS) return "stale timestamp";
  return null;
}

/**
 * Checks a request's signature, clock skew and nonce. Each nonce is remembered for
 * twice the skew window, long enough that a replay is refused until its timestamp
 * alone would be refused.
 */
export function createVerifier(key: Uint8Array, now: () => number = Date.now) {
  const seen = new Map<string, number>();
  let lastSweep = 0;

  const sweep = (at: number) => {
    if (at - lastSweep < MAX_CLOCK_SKEW_MS) return;
    lastSweep = at;
    for (const [nonce, expires] of seen) if (expires < at) seen.delete(nonce);
  };

  return (request: { method: string; path: string; body: string; header: Header }): VerifyFailure | null => {
    const at = now();
    const early = headerFailure(request.header, at);
    if (early) return early;
    const timestamp = request.header(SIGNATURE_HEADERS.timestamp)!;
    const nonce = request.header(SIGNATURE_HEADERS.nonce)!;
    const signature = request.header(SIGNATURE_HEADERS.signature)!;
    const expected = hmac(key, canonical({ ...request, timestamp, nonce }));
    if (!timingSafeEqual(expected, Buffer.from(signature, "hex"))) return "bad signature";
    sweep(at);
    if (seen.has(nonce)) return "replayed nonce";
    seen.set(nonce, at + 2 * MAX_CLOCK_SKEW_MS);
    return null;
  };
}
