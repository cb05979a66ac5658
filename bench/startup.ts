#!/usr/bin/env bun
/**
 * Startup numbers of the compiled binary (builds it first unless --binary is given):
 *   median `remcli --version`, median `daemon start` → ready, and the binary size;
 *   then, with two builds of other versions, the time from a new binary installed to
 *   the new daemon serving: through the periodic check (default interval) and through
 *   `remcli update` (which checks the new binary's signature and identity first).
 * Targets (2-core machine): --version < 30 ms, start → ready < 300 ms, binary < 120 MB,
 * takeover after `remcli update` < 1 s; and (bench/failover.ts, in Chromium) the phone
 * app leaving a dead address for the next < 2 s.
 */
import { generateKeyPairSync } from "node:crypto";
import { copyFileSync, mkdtempSync, renameSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { failoverRows, measureFailover } from "./failover.ts";

const { values } = parseArgs({
  options: { binary: { type: "string" }, runs: { type: "string", default: "15" } },
});
const runs = Number(values.runs);
const root = join(import.meta.dir, "..");

/** A throwaway release key: `remcli update` then checks a signature, as it does for a release. */
const signKey = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();

function build(version?: string): string {
  const out = mkdtempSync(join(tmpdir(), "remcli-bench-build-"));
  const env = { ...process.env, REMCLI_SIGN_KEY: signKey, ...(version ? { REMCLI_VERSION: version } : {}) };
  const result = Bun.spawnSync([process.execPath, join(root, "build.ts"), "--outdir", out], { env, stdout: "ignore", stderr: "inherit" });
  if (result.exitCode !== 0) throw new Error("build failed");
  return join(out, "remcli");
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function timed(cmd: string[], env: Record<string, string | undefined> = process.env): number {
  const started = performance.now();
  const result = Bun.spawnSync(cmd, { env, stdout: "ignore", stderr: "ignore" });
  const elapsed = performance.now() - started;
  if (result.exitCode !== 0) throw new Error(`${cmd.join(" ")} exited ${result.exitCode}`);
  return elapsed;
}

const binary = values.binary ?? build();
const builtHere = values.binary === undefined;
timed([binary, "--version"]); // warm the page cache once

const version = Array.from({ length: runs }, () => timed([binary, "--version"]));
const start: number[] = [];
for (let i = 0; i < Math.min(runs, 10); i++) {
  const home = mkdtempSync(join(tmpdir(), "remcli-bench-home-"));
  const env = { ...process.env, REMCLI_HOME: home };
  try {
    start.push(timed([binary, "daemon", "start"], env));
  } finally {
    Bun.spawnSync([binary, "daemon", "stop"], { env, stdout: "ignore" });
    rmSync(home, { recursive: true, force: true });
  }
}

/** The hand-over alone, as `remcli update` reports it (after the new file is installed). */
const handOvers: number[] = [];

/** Installs version A, starts it, installs B by `how`, and times until B's daemon serves. */
async function takeover(how: "update" | "check"): Promise<number> {
  const home = mkdtempSync(join(tmpdir(), "remcli-bench-home-"));
  const install = join(home, "remcli");
  const env = { ...process.env, REMCLI_HOME: home };
  copyFileSync(versionA, install);
  try {
    timed([install, "daemon", "start", "--no-qr"], env);
    const started = performance.now();
    if (how === "update") {
      const update = Bun.spawnSync([install, "update", "--from", versionB], { env, stdout: "pipe", stderr: "inherit" });
      if (update.exitCode !== 0) throw new Error(`remcli update exited ${update.exitCode}`);
      const reported = /handed over in (\d+) ms/.exec(update.stdout.toString())?.[1];
      if (reported) handOvers.push(Number(reported));
    } else {
      copyFileSync(versionB, `${install}.incoming`);
      renameSync(`${install}.incoming`, install);
      for (;;) {
        const status = Bun.spawnSync([install, "daemon", "status", "--json"], { env, stdout: "pipe" });
        const row = JSON.parse(status.stdout.toString());
        if (row.running && row.version === "bench-b") break;
        await Bun.sleep(10);
      }
    }
    return performance.now() - started;
  } finally {
    Bun.spawnSync([install, "daemon", "stop"], { env, stdout: "ignore" });
    rmSync(home, { recursive: true, force: true });
  }
}

const versionA = build("bench-a");
const versionB = build("bench-b");
const viaUpdate: number[] = [];
const viaCheck: number[] = [];
for (let i = 0; i < 3; i++) {
  viaUpdate.push(await takeover("update"));
  viaCheck.push(await takeover("check"));
}
for (const file of [versionA, versionB]) rmSync(join(file, ".."), { recursive: true, force: true });

const rows = [
  ["remcli --version (median)", `${median(version).toFixed(1)} ms`, "< 30 ms"],
  ["daemon start → ready (median)", `${median(start).toFixed(1)} ms`, "< 300 ms"],
  ["binary size", `${(statSync(binary).size / 1024 / 1024).toFixed(1)} MB`, "< 120 MB"],
  ["takeover via remcli update (median)", `${median(viaUpdate).toFixed(0)} ms`, "< 1000 ms"],
  ["  of which the hand-over (median)", `${median(handOvers).toFixed(0)} ms`, "—"],
  ["takeover via periodic check (median)", `${median(viaCheck).toFixed(0)} ms`, "≤ check interval (5 s) + start"],
];
const failover = await measureFailover(3);
if (typeof failover === "string") console.log(`(app failover not measured: ${failover})`);
else rows.push(...failoverRows(failover));
console.log(`startup benchmark, ${runs} runs, ${binary}`);
for (const [what, value, target] of rows) console.log(`${what!.padEnd(38)} ${value!.padStart(10)}   target ${target}`);
if (builtHere) rmSync(join(binary, ".."), { recursive: true, force: true });
process.exit(median(viaUpdate) < 1000 ? 0 : 1);
