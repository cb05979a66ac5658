import type { CAC } from "cac";
import { VERSION } from "../shared/version.ts";

const internalOf = new WeakMap<CAC, string[]>();

/**
 * What every program of ours has: `--help` (without the internal commands, which the
 * daemon and self-update run, not people), `--version`, and `--debug`, which every
 * unexpected error points to.
 */
export function standardFlags(cli: CAC, { internal = [] }: { internal?: string[] } = {}): CAC {
  internalOf.set(cli, internal);
  cli.option("--debug", "Print the stack of an unexpected error");
  cli.help((sections) =>
    sections.map((section) => ({
      ...section,
      body: section.body
        .split("\n")
        .filter((line) => !internal.some((name) => line.trim().split(/\s+/)[0] === name || line.endsWith(` ${name} --help`)))
        .join("\n"),
    })),
  );
  cli.version(VERSION);
  return cli;
}

/** The commands a user may type, for "did you mean". */
export function visibleCommands(cli: CAC): string[] {
  const internal = internalOf.get(cli) ?? [];
  return cli.commands.map((command) => command.name).filter((name) => name !== "" && !internal.includes(name));
}
