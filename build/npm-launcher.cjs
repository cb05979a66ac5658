#!/usr/bin/env node
// remcli's npm launcher. npm installed the compiled binary for this OS and CPU as one of
// remcli's optional dependencies (each names its `os` and `cpu`, so npm skips the others,
// the pattern of esbuild and opencode); this finds it and runs it with our arguments.
// The binary is the program: the daemon it starts runs the binary itself, not node.
"use strict";
const { spawnSync } = require("node:child_process");
const { accessSync, chmodSync, constants } = require("node:fs");
const { dirname, join } = require("node:path");

const os = process.platform === "win32" ? "windows" : process.platform;
const target = `${os}-${process.arch}`;
const pkg = `remcli-${target}`;
const file = process.platform === "win32" ? "remcli.exe" : "remcli";

function binary() {
  try {
    return join(dirname(require.resolve(`${pkg}/package.json`)), "bin", file);
  } catch {
    process.stderr.write(
      `remcli: the binary for ${target} (package ${pkg}) is not installed.\n` +
        `  Reinstall without --no-optional / --omit=optional: npm install -g remcli\n` +
        `  remcli is built for linux-x64, linux-arm64, darwin-x64, darwin-arm64 and windows-x64 (glibc Linux).\n`,
    );
    process.exit(1);
  }
}

const path = binary();
try {
  accessSync(path, constants.X_OK);
} catch {
  // A tarball unpacked without its modes: the binary is ours to make runnable.
  try {
    chmodSync(path, 0o755);
  } catch {}
}
const run = spawnSync(path, process.argv.slice(2), { stdio: "inherit", windowsHide: true });
if (run.error) {
  process.stderr.write(`remcli: could not run ${path}: ${run.error.message}\n`);
  process.exit(1);
}
// Ctrl-C reached the binary too (same process group); end the way it ended.
if (run.signal) process.kill(process.pid, run.signal);
process.exit(run.status ?? 1);
