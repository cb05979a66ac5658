import { copyFileSync, statSync, writeSync } from "node:fs";
import { fail, ok, type Result } from "../shared/result.ts";
import { durably } from "./durably.ts";

/** A remcli binary is ~125 MB; anything far beyond is not one. */
const MAX_BYTES = 512 * 1024 * 1024;

/**
 * Puts the binary named by `--from` (a local file, or an http(s) URL) at `staged`,
 * fsynced. A local file is copied by the kernel, not through memory: ~0.3 s instead of
 * ~0.8 s for a 125 MB binary here.
 */
export async function stageBinary(from: string, staged: string): Promise<Result<void>> {
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
    durably(staged, "w", (fd) => writeSync(fd, bytes));
    return ok(undefined);
  }
  try {
    if (statSync(from).size > MAX_BYTES) return fail("bad_request", `${from} is too large for a remcli binary`);
    copyFileSync(from, staged);
    durably(staged, "r");
    return ok(undefined);
  } catch (error) {
    return fail("not_found", `cannot read ${from}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}
