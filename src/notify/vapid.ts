import { createECDH } from "node:crypto";
import { readOrCreateSecret, writeNewSecret } from "../shared/secret-file.ts";

/** The daemon's VAPID key pair (RFC 8292), base64url as Web Push wants it. */
export type VapidKeys = { publicKey: string; privateKey: string };

function fromPrivate(secret: Uint8Array): VapidKeys | null {
  const ecdh = createECDH("prime256v1");
  try {
    ecdh.setPrivateKey(secret);
  } catch {
    // Not a valid P-256 scalar (about one in 2^32 random strings): make another.
    return null;
  }
  return { publicKey: ecdh.getPublicKey().toString("base64url"), privateKey: Buffer.from(secret).toString("base64url") };
}

/**
 * The key pair made on first use and kept in `file` (0600): only the 32-byte private key
 * is stored, the public key follows from it. Browsers subscribe to this public key, so it
 * must survive restarts; it is never logged.
 */
export function loadVapidKeys(file: string): VapidKeys {
  const keys = fromPrivate(readOrCreateSecret(file));
  if (keys) return keys;
  for (;;) {
    const fresh = fromPrivate(writeNewSecret(file));
    if (fresh) return fresh;
  }
}
