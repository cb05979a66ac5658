import { installedBinary } from "../update/binary.ts";

/**
 * How to run this same remcli again: a compiled binary is its own interpreter, while
 * from source we need bun plus the entry script.
 */
export function selfCommand(): string[] {
  const binary = installedBinary();
  return binary ? [binary] : [process.execPath, Bun.main];
}
