#!/usr/bin/env bun
import { VERSION } from "./shared/version.ts";

// `--version` is on the hot path of every self-update check: answer before loading the CLI.
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
  process.stdout.write(`${VERSION}\n`);
  process.exit(0);
}

const { runCli } = await import("./cli/program.ts");
const { typedArgv } = await import("./cli/argv.ts");
// runCli prints every failure of a command itself and returns the exit code.
process.exitCode = await runCli(typedArgv(argv));
