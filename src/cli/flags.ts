import type { Command } from "cac";
import { distance } from "fastest-levenshtein";

const letters = (word: string) => [...word].sort().join("");

/**
 * The word the user probably meant, when one is close enough to be worth saying. Two
 * edits cover a swapped pair of letters (`--hepl`); longer words may stray further. A
 * swap costs two edits, so among the nearest an anagram wins (`stauts` is `status`, not `start`).
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const bare = word.replace(/^-+/, "");
  if (bare.length < 3) return undefined;
  const ranked = candidates
    .map((candidate) => ({ candidate, edits: distance(word, candidate), swapped: letters(candidate) === letters(word) }))
    .filter(({ edits }) => edits <= Math.max(2, Math.floor(bare.length / 3)))
    .sort((a, b) => a.edits - b.edits || Number(b.swapped) - Number(a.swapped));
  return ranked[0]?.candidate;
}

/** The flags `commands` declare as typed (`--host`, `-f`, `--no-qr`), each with whether it takes a value. */
function declaredFlags(commands: readonly Command[]): Map<string, boolean> {
  const flags = new Map<string, boolean>();
  for (const command of commands) {
    for (const option of command.options) {
      const takesValue = /[<[]/.test(option.rawName);
      for (const part of option.rawName.split(/[\s,]+/)) if (part.startsWith("-")) flags.set(part, takesValue);
    }
  }
  return flags;
}

/** Each flag as typed in `argv` up to `--`, a value given with `=` cut off; values of flags that take one skipped. */
function typedFlags(argv: readonly string[], flags: Map<string, boolean>): string[] {
  const typed: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") break;
    if (!arg.startsWith("-") || arg === "-") continue;
    const names = arg.startsWith("--") ? [arg.split("=", 1)[0]!] : [...arg.slice(1).split("=", 1)[0]!].map((c) => `-${c}`);
    typed.push(...names);
    if (!arg.includes("=") && flags.get(names.at(-1)!)) i++;
  }
  return typed;
}

/**
 * The first flag in `argv` (up to `--`) that `commands` do not declare, with the one
 * meant if it is a near miss (`--hepl` → `--help`); null when every flag is known.
 * mri, under cac, reads `--no-x` as x set to false, so that form of a known flag is known too.
 */
export function unknownFlag(argv: readonly string[], commands: readonly Command[]): { flag: string; meant?: string } | null {
  const flags = declaredFlags(commands);
  const known = (flag: string) => flags.has(flag) || (flag.startsWith("--no-") && flags.get(`--${flag.slice(5)}`) === false);
  const flag = typedFlags(argv, flags).find((typed) => !known(typed));
  if (flag === undefined) return null;
  const meant = nearest(flag, [...flags.keys()].filter((name) => name.startsWith("--") === flag.startsWith("--")));
  return meant ? { flag, meant } : { flag };
}
