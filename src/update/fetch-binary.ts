import { chmodSync, closeSync, copyFileSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { errorMessage } from "../shared/errors.ts";
import { fail, ok, type Result } from "../shared/result.ts";
import { durably, durablyFrom } from "./durably.ts";
import { MAX_SIGNATURE_BYTES } from "./release-signature.ts";

/** A remcli binary is ~125 MB; anything far beyond is not one. */
const MAX_BYTES = 512 * 1024 * 1024;
const MAX_REDIRECTS = 5;

/** `--from` and `--signature` name a URL when they have a scheme; anything else is a file. */
export const isUrl = (source: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(source);

/** A local file, or an https URL; refused before anything is fetched from elsewhere. */
export function checkSource(source: string): Result<void> {
  if (!isUrl(source) || /^https:\/\//i.test(source)) return ok(undefined);
  return fail("bad_request", `refusing ${source}: downloads must be https (anyone on the network can replace a plain http download)`);
}

/**
 * GET over https only. Redirects are followed by hand, at most five, so a hop to plain
 * http is refused before anything is sent to it: on the LAN, an http answer can be
 * anyone's. A private mirror with its own CA is trusted through NODE_EXTRA_CA_CERTS.
 */
async function httpsGet(url: string): Promise<Result<Response>> {
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    let parsed: URL;
    try {
      parsed = new URL(current);
    } catch {
      return fail("bad_request", `${current} is not a URL`);
    }
    if (parsed.protocol !== "https:") {
      const why = hop === 0 ? "downloads must be https" : `it redirects to ${current}, and downloads must be https`;
      return fail("bad_request", `refusing ${url}: ${why} (anyone on the network can replace a plain http download)`);
    }
    let response: Response;
    try {
      response = await fetch(parsed, { redirect: "manual" });
    } catch (error) {
      return fail("unavailable", `could not download ${current}: ${errorMessage(error)}`);
    }
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      current = new URL(location, parsed).href;
      continue;
    }
    if (!response.ok) return fail("unavailable", `could not download ${current}: HTTP ${response.status}`);
    return ok(response);
  }
  return fail("unavailable", `${url} redirects more than ${MAX_REDIRECTS} times`);
}

/**
 * The body, refused as soon as it passes `max` bytes (a Content-Length can lie), each
 * chunk also handed to `sink` on its way (the hash of a download, without reading it twice).
 */
function capped(response: Response, max: number, what: string, sink?: (chunk: Uint8Array) => void): ReadableStream<Uint8Array> {
  let seen = Number(response.headers.get("content-length") ?? 0);
  if (seen > max) throw new Error(`${what} is ${seen} bytes, too large`);
  seen = 0;
  return response.body!.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, out) {
        seen += chunk.byteLength;
        if (seen > max) return out.error(new Error(`${what} is over ${max} bytes, too large`));
        sink?.(chunk);
        out.enqueue(chunk);
      },
    }),
  );
}

/**
 * Puts the binary named by `--from` (a local file, or an https URL) at `staged`, fsynced
 * and executable, and returns its SHA-256 — but never runs it: that waits for the hash
 * or signature to be checked.
 */
export async function stageBinary(from: string, staged: string): Promise<Result<string>> {
  const sha256 = isUrl(from) ? await download(from, staged) : copy(from, staged);
  if (sha256.ok) chmodSync(staged, 0o755);
  return sha256;
}

/** Hashed as it arrives, so the 125 MB are not read twice. */
async function download(from: string, staged: string): Promise<Result<string>> {
  const response = await httpsGet(from);
  if (!response.ok) return response;
  const hash = new Bun.CryptoHasher("sha256");
  try {
    await durablyFrom(staged, capped(response.data, MAX_BYTES, from, (chunk) => hash.update(chunk)));
  } catch (error) {
    return fail("bad_request", `could not download ${from}: ${errorMessage(error)}`);
  }
  return ok(hash.digest("hex"));
}

/** Copied by the kernel, not through memory: ~0.3 s instead of ~0.8 s for 125 MB here. */
function copy(from: string, staged: string): Result<string> {
  try {
    if (statSync(from).size > MAX_BYTES) return fail("bad_request", `${from} is too large for a remcli binary`);
    copyFileSync(from, staged);
  } catch (error) {
    return fail("not_found", `cannot read ${from}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  durably(staged, "r");
  return ok(sha256Of(staged));
}

/** Read in 1 MiB pieces: ~30% faster here than `Bun.file().stream()`'s small chunks. */
function sha256Of(file: string): string {
  const hash = new Bun.CryptoHasher("sha256");
  const buffer = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(file, "r");
  try {
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

/** The text of a signature file, from a local file or an https URL; small or refused. */
export async function readSignature(source: string): Promise<Result<string>> {
  if (isUrl(source)) {
    const response = await httpsGet(source);
    if (!response.ok) return response;
    try {
      return ok(await new Response(capped(response.data, MAX_SIGNATURE_BYTES, source)).text());
    } catch (error) {
      return fail("bad_request", `could not download ${source}: ${errorMessage(error)}`);
    }
  }
  try {
    if (statSync(source).size > MAX_SIGNATURE_BYTES) return fail("bad_request", `${source} is too large for a signature`);
    return ok(readFileSync(source, "utf8"));
  } catch (error) {
    return fail("not_found", `cannot read ${source}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}
