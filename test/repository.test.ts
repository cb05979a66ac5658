import { describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");
/** Larger than any source, screenshot or lock file; a compiled binary or build leftover is 100 MB. */
const MAX_TRACKED_BYTES = 2 * 1024 * 1024;

const tracked = Bun.spawnSync(["git", "ls-files", "-z"], { cwd: ROOT, stdout: "pipe", stderr: "ignore" });

describe("the repository", () => {
  // CI runs a clean clone, so git and the checkout are there; a copy without .git has nothing to check.
  test.skipIf(tracked.exitCode !== 0)("tracks no build output or other large file", () => {
    const files = tracked.stdout.toString().split("\0").filter(Boolean);
    const large = files
      .map((file) => ({ file, bytes: statSync(join(ROOT, file), { throwIfNoEntry: false })?.size ?? 0 }))
      .filter(({ bytes }) => bytes > MAX_TRACKED_BYTES);
    expect(large).toEqual([]);
    expect(files.filter((file) => file.endsWith(".bun-build"))).toEqual([]);
  });
});
