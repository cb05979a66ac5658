import { readFileSync } from "node:fs";
import { installedBinary } from "../shared/own-binary.ts";

/**
 * The arguments as typed. Bun running a file drops a `--` right after the script
 * (oven-sh/bun#13984; a compiled binary keeps it), which would turn `remcli -- --resume`
 * from source into `remcli --resume`. Where /proc shows the real command line, the
 * separator is taken back; elsewhere (macOS from source) it stays lost.
 */
export function typedArgv(argv: string[] = process.argv.slice(2)): string[] {
  if (installedBinary()) return argv;
  let raw: string[];
  try {
    raw = readFileSync("/proc/self/cmdline", "utf8").split("\0").slice(0, -1);
  } catch {
    return argv;
  }
  const before = raw.length - argv.length - 1;
  const tailMatches = argv.every((arg, i) => raw[before + 1 + i] === arg);
  return before >= 2 && tailMatches && raw[before] === "--" ? ["--", ...argv] : argv;
}
