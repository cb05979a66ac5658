import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSandbox, isAlive, type CliResult } from "../helpers/sandbox.ts";

const ROOT = join(import.meta.dir, "..", "..");
const A = "1.0.0-npm-a";
const B = "1.0.0-npm-b";
const target = `${process.platform}-${process.arch}`;

let work = "";
let skip: string | null = null;
const tarballs: Record<string, string> = {};

function run(argv: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const out = Bun.spawnSync(argv, { cwd: options.cwd, env: options.env ?? (process.env as Record<string, string>), stdout: "pipe", stderr: "pipe" });
  return { code: out.exitCode, stdout: out.stdout.toString(), stderr: out.stderr.toString() };
}

/** Builds A (packed for npm) and B (the update) once for the file: the packing of a 130 MB binary is the slow part. */
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "remcli-npm-"));
  if (!Bun.which("npm") || !Bun.which("node")) {
    skip = "npm and node are not installed here";
    return;
  }
  for (const version of [A, B]) {
    const built = run([process.execPath, join(ROOT, "build.ts"), "--outdir", join(work, version)], { env: { ...process.env, REMCLI_VERSION: version } as Record<string, string> });
    // The host build works offline (README): one that fails is the test failing, not a skip.
    if (built.code !== 0) throw new Error(`build.ts failed: ${built.stderr.trim()}`);
  }
  const npm = join(work, A, "npm");
  const packed = run(["npm", "pack", "--json", "--pack-destination", work, "./remcli", `./remcli-${target}`], { cwd: npm });
  if (packed.code !== 0) throw new Error(`npm pack failed: ${packed.stderr}`);
  for (const { name, filename } of JSON.parse(packed.stdout) as Array<{ name: string; filename: string }>) tarballs[name] = join(work, filename);
}, 240_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `npm install -g` into a prefix of its own, from the local tarballs only: no registry is asked. */
function installGlobally(prefix: string, files: string[]) {
  mkdirSync(prefix, { recursive: true });
  return run(["npm", "install", "-g", "--offline", "--no-audit", "--no-fund", "--prefix", prefix, "--cache", join(work, "npm-cache"), ...files]);
}

describe("npm install -g remcli", () => {
  test("the launcher and this machine's binary package install offline; remcli runs, starts a daemon and updates itself there", async () => {
    if (skip) return console.warn(`skipped: ${skip}`);
    expect(Object.keys(tarballs).sort()).toEqual(["remcli", `remcli-${target}`]);
    const launcherManifest = JSON.parse(run(["tar", "-xOzf", tarballs.remcli!, "package/package.json"]).stdout);
    expect(launcherManifest.optionalDependencies).toMatchObject({ [`remcli-${target}`]: A, "remcli-darwin-arm64": A, "remcli-windows-x64": A });
    const platformManifest = JSON.parse(run(["tar", "-xOzf", tarballs[`remcli-${target}`]!, "package/package.json"]).stdout);
    expect(platformManifest).toMatchObject({ os: [process.platform], cpu: [process.arch] });

    const prefix = join(work, "prefix");
    const installed = installGlobally(prefix, [tarballs[`remcli-${target}`]!, tarballs.remcli!]);
    expect(installed.stderr).not.toContain("ERR");
    expect(installed.code).toBe(0);
    const remcli = join(prefix, "bin", "remcli");
    expect(readlinkSync(remcli)).toContain("remcli.cjs");
    const binary = join(prefix, "lib", "node_modules", `remcli-${target}`, "bin", "remcli");

    await using box = createSandbox({ REMCLI_UPDATE_CHECK_MS: "100", REMCLI_HEARTBEAT_MS: "200" });
    const cli = async (args: string[]): Promise<CliResult> => {
      const child = Bun.spawn([remcli, ...args], { env: box.env, stdout: "pipe", stderr: "pipe", stdin: "ignore" });
      const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
      return { code, stdout, stderr };
    };
    expect(await cli(["--version"])).toEqual({ code: 0, stdout: `${A}\n`, stderr: "" });
    const bad = await cli(["daemon", "bogus"]);
    expect(bad.code).toBe(2);

    const started = await cli(["daemon", "start", "--host", "127.0.0.1", "--no-qr"]);
    expect(started.stderr).toBe("");
    expect(started.code).toBe(0);
    const status = JSON.parse((await cli(["daemon", "status", "--json"])).stdout);
    expect(status).toMatchObject({ running: true, version: A });
    // The daemon is the binary itself, not node running the launcher.
    expect(readlinkSync(`/proc/${status.pid}/exe`)).toBe(binary);

    const sha = createHash("sha256").update(readFileSync(join(work, B, "remcli"))).digest("hex");
    const updated = await cli(["update", "--from", join(work, B, "remcli"), "--sha256", sha]);
    expect(updated.stderr).toBe("");
    expect(updated.stdout).toContain(`the daemon now runs version ${B}`);
    expect(updated.code).toBe(0);
    expect((await cli(["--version"])).stdout).toBe(`${B}\n`);
    const after = JSON.parse((await cli(["daemon", "status", "--json"])).stdout);
    expect(after).toMatchObject({ running: true, version: B });
    expect(readlinkSync(`/proc/${after.pid}/exe`)).toBe(binary);

    process.kill(after.pid, "SIGTERM");
    const deadline = Date.now() + 10_000;
    while (isAlive(after.pid) && Date.now() < deadline) await Bun.sleep(20);
    expect(isAlive(after.pid)).toBe(false);
  }, 120_000);

  test("without this machine's binary package, remcli says which package is missing and how to get it", async () => {
    if (skip) return console.warn(`skipped: ${skip}`);
    const prefix = join(work, "launcher-only");
    expect(installGlobally(prefix, [tarballs.remcli!]).code).toBe(0);
    const ran = run([join(prefix, "bin", "remcli"), "--version"]);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain(`the binary for ${target} (package remcli-${target}) is not installed`);
    expect(ran.stderr).toContain("npm install -g remcli");
  }, 60_000);
});
