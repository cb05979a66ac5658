import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createSandbox } from "../helpers/sandbox.ts";

const ROOT = join(import.meta.dir, "..", "..");
const strace = Bun.which("strace");

/**
 * A secret replaces the old one only once its bytes are on disk: after a power cut the file
 * is the old secret or the new, never empty (an empty p2p.secret makes the daemon create a
 * new one, and every data key wrapped for the lost one is unreadable). Without a power cut
 * to pull, the order of the system calls is what shows it.
 */
describe("secret files", () => {
  test.skipIf(!strace)("the new secret is fsynced before it is renamed over the old one, and the folder after", async () => {
    await using box = createSandbox();
    const file = join(box.home, "p2p.secret");
    const script = `const { writeSecret } = await import(${JSON.stringify(join(ROOT, "src/shared/secret-file.ts"))}); writeSecret(${JSON.stringify(file)}, new Uint8Array(32).fill(7));`;
    const traced = Bun.spawnSync([strace!, "-f", "-qq", "-e", "trace=openat,fsync,fdatasync,rename,renameat,renameat2", process.execPath, "-e", script], { stderr: "pipe", stdout: "pipe" });
    expect(traced.exitCode).toBe(0);
    expect(readFileSync(file)).toEqual(Buffer.alloc(32, 7));
    const calls = traced.stderr.toString().split("\n");
    const renamed = calls.findIndex((line) => /rename\w*\(.*p2p\.secret\.\d+\.tmp/.test(line));
    expect(renamed).toBeGreaterThan(-1);
    const tempFd = /openat\(.*p2p\.secret\.\d+\.tmp.*= (\d+)$/.exec(calls.find((line) => /openat\(.*p2p\.secret\.\d+\.tmp/.test(line)) ?? "")?.[1];
    expect(tempFd).toBeDefined();
    const synced = (fd: string | undefined, from: number, to: number) => calls.slice(from, to).some((line) => new RegExp(`f(data)?sync\\(${fd}\\)`).test(line));
    expect(synced(tempFd, 0, renamed)).toBe(true);
    const dirFd = /openat\(.*"([^"]*)".*= (\d+)$/;
    const dirOpen = calls.slice(renamed).map((line) => dirFd.exec(line)).find((m) => m && m[1] === box.home);
    expect(dirOpen).toBeDefined();
    expect(synced(dirOpen![2], renamed, calls.length)).toBe(true);
  });
});
