import { createHash, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { fail, ok, type Result } from "../shared/result.ts";

/**
 * A release signature (`<binary>.sig`, written by build.ts) is a few lines of text: what
 * the signer vouches for — this version and build, these bytes (by SHA-256), this key —
 * and an Ed25519 signature over exactly those lines. Signing the hash, not the 125 MB,
 * lets the installer hash the file once for both `--sha256` and the signature.
 */
export type ReleaseStatement = { version: string; buildId: string; sha256: string; key: string };

/** Bigger than any signature file; a URL that sends more is not one. */
export const MAX_SIGNATURE_BYTES = 4096;

const SIGNATURE_FILE =
  /^(remcli release signature v1\nversion ([0-9A-Za-z][0-9A-Za-z.+-]{0,63})\nbuild ([0-9a-f]{32})\nsha256 ([0-9a-f]{64})\nkey ([0-9a-f]{16})\n)ed25519 ([A-Za-z0-9+/]{86}==)\n?$/;

/** The short name of a public key (raw, base64url) that messages and signature files show. */
export function keyIdOf(releaseKey: string): string {
  return createHash("sha256").update(Buffer.from(releaseKey, "base64url")).digest("hex").slice(0, 16);
}

/** The raw public half of an Ed25519 private key, base64url: what build.ts embeds. */
export function publicKeyOf(privateKey: KeyObject): string {
  const x = createPublicKey(privateKey).export({ format: "jwk" }).x;
  if (privateKey.asymmetricKeyType !== "ed25519" || !x) throw new Error("the signing key is not an Ed25519 private key");
  return x;
}

function statementText(s: ReleaseStatement): string {
  return `remcli release signature v1\nversion ${s.version}\nbuild ${s.buildId}\nsha256 ${s.sha256}\nkey ${s.key}\n`;
}

/** The text of `<binary>.sig` for a binary of this version and build whose bytes hash to `sha256`. */
export function signRelease(s: Omit<ReleaseStatement, "key">, privateKey: KeyObject): string {
  const text = statementText({ ...s, key: keyIdOf(publicKeyOf(privateKey)) });
  return `${text}ed25519 ${sign(null, Buffer.from(text), privateKey).toString("base64")}\n`;
}

/**
 * Checks that `text` (read from `where`) is a signature by `releaseKey` over a file whose
 * SHA-256 is `sha256`, and returns what it vouches for. Each refusal says what to do.
 */
export function verifyRelease(text: string, sha256: string, releaseKey: string, where: string): Result<ReleaseStatement> {
  const match = SIGNATURE_FILE.exec(text);
  if (!match) return fail("bad_request", `${where} is not a remcli release signature: refusing the binary`);
  const [, signed, version, buildId, signedSha, key, signature] = match as unknown as string[];
  const mine = keyIdOf(releaseKey);
  if (key !== mine) {
    return fail(
      "bad_request",
      `${where} is signed by release key ${key}, but this remcli trusts release key ${mine}: get the binary from where this one came from, or give --sha256 <hex> of a binary you checked yourself`,
    );
  }
  const publicKey = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: releaseKey }, format: "jwk" });
  if (!verify(null, Buffer.from(signed!), publicKey, Buffer.from(signature!, "base64"))) {
    return fail("bad_request", `${where} does not verify under release key ${mine}: it was not made with that key, or was altered; refusing the binary`);
  }
  if (signedSha !== sha256) {
    return fail("bad_request", `the new file's SHA-256 is ${sha256}, but ${where} is for ${signedSha}: the download is not the signed binary; refusing it`);
  }
  return ok({ version: version!, buildId: buildId!, sha256, key: key! });
}
