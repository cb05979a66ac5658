import { fail, ok, type Result } from "../shared/result.ts";
import { readSignature } from "./fetch-binary.ts";
import { keyIdOf, verifyRelease, type ReleaseStatement } from "./release-signature.ts";

/** What the user gave to vouch for a new binary: `--sha256`, `--signature`, or neither. */
export type Vouchers = { sha256?: string; signature?: string };

/** A signature file's text and where it came from, for the messages. */
export type SignatureFile = { text: string; where: string };

/**
 * The signature the new binary must carry, fetched before the binary itself so a missing
 * one costs no 125 MB download: `--signature`, else `<from>.sig` — unless `--sha256` is
 * given, which vouches alone. A build without a release key checks no signature:
 * it accepts `--sha256` only.
 */
export async function signatureFor(from: string, vouchers: Vouchers, releaseKey: string | null): Promise<Result<SignatureFile | null>> {
  const where = vouchers.signature ?? (vouchers.sha256 ? undefined : `${from}.sig`);
  if (where === undefined) return ok(null);
  if (!releaseKey) {
    return fail(
      "bad_request",
      "this remcli was built without a release key (a development build), so it cannot check a signature: give --sha256 <hex> of the new binary, taken from a source you trust",
    );
  }
  const text = await readSignature(where);
  if (text.ok) return ok({ text: text.data, where });
  // A refusal (a redirect to http, an oversized file) is the answer itself, not a missing signature.
  if (vouchers.signature || text.error.code === "bad_request") return text;
  return fail(
    "bad_request",
    `no signature for ${from}: ${text.error.message}. Give --signature <file|url> signed by release key ${keyIdOf(releaseKey)}, or --sha256 <hex> of a binary you checked yourself`,
  );
}

/**
 * Whether the staged file, by its SHA-256 `actual`, is one the user or the release key
 * vouches for: checked before it is ever run. Returns what a signature said about it
 * (null when `--sha256` alone vouched).
 */
export function vouchedFor(
  actual: string,
  vouchers: Vouchers,
  signature: SignatureFile | null,
  releaseKey: string | null,
): Result<ReleaseStatement | null> {
  if (vouchers.sha256 && actual !== vouchers.sha256.toLowerCase()) {
    return fail("bad_request", `SHA-256 mismatch: expected ${vouchers.sha256}, got ${actual}`);
  }
  if (!signature || !releaseKey) return ok(null);
  return verifyRelease(signature.text, actual, releaseKey, signature.where);
}
