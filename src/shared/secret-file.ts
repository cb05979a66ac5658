import { randomBytes } from "node:crypto";
import { chmodSync, readFileSync } from "node:fs";
import { writePrivateFile } from "./private-file.ts";

/** Reads a binary secret; null when the file is missing or the wrong length. */
export function readSecret(file: string, length = 32): Uint8Array | null {
  try {
    const bytes = readFileSync(file);
    return bytes.length === length ? new Uint8Array(bytes) : null;
  } catch {
    return null;
  }
}

/** Writes a fresh secret atomically (0600 temp file, then rename over the old one). */
export function writeNewSecret(file: string, length = 32): Uint8Array {
  return writeSecret(file, new Uint8Array(randomBytes(length)));
}

/**
 * Writes `secret` atomically and durably: a 0600 temp file, fsynced, renamed over the old
 * one, then the folder fsynced. A power cut leaves the old secret or the new, never an
 * empty file (which the daemon would replace with a fresh secret, losing every pairing and
 * every data key a rotation had just re-wrapped for this one).
 */
export function writeSecret(file: string, secret: Uint8Array): Uint8Array {
  writePrivateFile(file, secret);
  return secret;
}

/** The secret at `file`, created on first use; kept across restarts. */
export function readOrCreateSecret(file: string, length = 32): Uint8Array {
  const existing = readSecret(file, length);
  if (existing) {
    chmodSync(file, 0o600);
    return existing;
  }
  return writeNewSecret(file, length);
}
