import { readFileSync, statSync } from "node:fs";
import { fail, ok, type Result } from "../shared/result.ts";

/** A remcli binary is ~100 MB; anything far beyond is not one. */
const MAX_BYTES = 512 * 1024 * 1024;

/** The bytes of `--from`: a local file, or an http(s) URL. */
export async function fetchBinary(from: string): Promise<Result<Uint8Array>> {
  if (/^https?:\/\//i.test(from)) {
    let response: Response;
    try {
      response = await fetch(from, { redirect: "follow" });
    } catch (error) {
      return fail("unavailable", `could not download ${from}: ${String(error)}`);
    }
    if (!response.ok) return fail("unavailable", `could not download ${from}: HTTP ${response.status}`);
    const length = Number(response.headers.get("content-length") ?? 0);
    if (length > MAX_BYTES) return fail("bad_request", `${from} is ${length} bytes, too large for a remcli binary`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.length > MAX_BYTES) return fail("bad_request", `${from} is too large for a remcli binary`);
    return ok(bytes);
  }
  try {
    if (statSync(from).size > MAX_BYTES) return fail("bad_request", `${from} is too large for a remcli binary`);
    return ok(new Uint8Array(readFileSync(from)));
  } catch (error) {
    return fail("not_found", `cannot read ${from}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}
