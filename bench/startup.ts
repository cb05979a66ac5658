#!/usr/bin/env bun
/**
 * Startup numbers of the compiled binary (builds it first unless --binary is given):
 *   median `remcli --version`, median `daemon start` → ready, and the binary size.
 * Targets (2-core machine): --version < 30 ms, start → ready < 300 ms, binary < 120 MB.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { binary: { type: "string" }, runs: { type: "string", default: "15" } },
});
const runs = Number(values.runs);
const root = join(import.meta.dir, "..");

function build(): string {
  const out = mkdtempSync(join(tmpdir(), "remcli-bench-build-"));
  const result = Bun.spawnSync([process.execPath, join(root, "build.ts"), "--outdir", out], { stderr: "inherit" });
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

const rows = [
  ["remcli --version (median)", `${median(version).toFixed(1)} ms`, "< 30 ms"],
  ["daemon start → ready (median)", `${median(start).toFixed(1)} ms`, "< 300 ms"],
  ["binary size", `${(statSync(binary).size / 1024 / 1024).toFixed(1)} MB`, "< 120 MB"],
];
console.log(`startup benchmark, ${runs} runs, ${binary}`);
for (const [what, value, target] of rows) console.log(`${what!.padEnd(32)} ${value!.padStart(10)}   target ${target}`);
if (builtHere) rmSync(join(binary, ".."), { recursive: true, force: true });
