import { stat } from "node:fs/promises";
import type { SearchArgs } from "./rg-args.ts";
import { walkFiles, type Found } from "./walk.ts";

/** Files up to this size are read at once; larger ones are streamed. */
const WHOLE_FILE_BYTES = 4 * 1024 * 1024;
/** Files read at the same time. */
const READ_AHEAD = 16;

export type SearchTarget = { path: string; shown: string };
/** `full`: the output reached its cap and the search stopped there (what else it would have found is unknown). */
export type SearchOutcome = { exitCode: number; lines: string[]; full: boolean; stderr: string; timedOut: boolean };

/**
 * ripgrep's behaviour for the arguments remcli accepts, when no `rg` is installed: the
 * same walk (see walkFiles), JavaScript regular expressions instead of Rust's (close for
 * everyday patterns), binary files (a NUL byte) skipped, output as rg prints it when
 * not on a terminal. Stops at `deadline`, and once its output reaches `maxChars`.
 */
export async function builtinSearch(args: SearchArgs, targets: SearchTarget[], options: { deadline: number; maxChars: number }): Promise<SearchOutcome> {
  const out = createOutput(options.maxChars);
  const errors: string[] = [];
  let regex: RegExp | null = null;
  if (!args.files) {
    try {
      regex = compile(args);
    } catch (error) {
      return { exitCode: 2, lines: [], full: false, stderr: `regex parse error: ${(error as Error).message}\n`, timedOut: false };
    }
  }
  const single = targets.length === 1 && (await isFile(targets[0]!.path));
  const showName = args.withFilename ?? !single;
  let found = false;
  let timedOut = false;
  const window: Array<Promise<string[]>> = [];
  const take = async () => {
    const lines = await window.shift()!;
    if (lines.length > 0) found = true;
    out.add(lines);
  };

  for (const target of targets) {
    for await (const file of filesOf(target, args, errors)) {
      if (Date.now() > options.deadline) {
        timedOut = true;
        break;
      }
      window.push(regex ? searchFile(file, args, regex, showName) : Promise.resolve([file.shown]));
      if (window.length >= READ_AHEAD) await take();
      if (out.full()) break;
    }
    if (timedOut || out.full()) break;
  }
  while (window.length > 0) await take();
  const stderr = errors.join("") + (timedOut ? "search timed out\n" : "");
  return { exitCode: errors.length > 0 ? 2 : found ? 0 : 1, lines: out.lines, full: out.full(), stderr, timedOut };
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isFile() ?? false;
}

/** A target that is a file is searched as named (rg ignores no file it is given); a folder is walked. */
async function* filesOf(target: SearchTarget, args: SearchArgs, errors: string[]): AsyncGenerator<Found> {
  const info = await stat(target.path).catch(() => null);
  if (!info) {
    errors.push(`${target.shown}: No such file or directory (os error 2)\n`);
    return;
  }
  if (info.isFile()) {
    yield { path: target.path, shown: target.shown };
    return;
  }
  yield* walkFiles(target.path, target.shown, { hidden: args.hidden, noIgnore: args.noIgnore, maxDepth: args.maxDepth, globs: args.globs });
}

function compile(args: SearchArgs): RegExp {
  const sources = args.patterns.map((pattern) => (args.fixedStrings ? RegExp.escape(pattern) : pattern));
  let source = sources.map((s) => `(?:${s})`).join("|");
  if (args.wordRegexp) source = `\\b(?:${source})\\b`;
  const insensitive = args.caseMode === "insensitive" || (args.caseMode === "smart" && !args.patterns.some(hasUppercase));
  const flags = insensitive ? "i" : "";
  // Rust's regex is Unicode-aware; JavaScript's `u` mode refuses some escapes it allows.
  try {
    return new RegExp(source, `${flags}u`);
  } catch {
    return new RegExp(source, flags);
  }
}

/** rg's smart case looks at the pattern's literal letters, not its escapes (`\W`). */
const hasUppercase = (pattern: string) => /\p{Lu}/u.test(pattern.replace(/\\./g, ""));

/** The lines a file contributes, as rg prints them; none for a binary file. */
async function searchFile(file: Found, args: SearchArgs, regex: RegExp, showName: boolean): Promise<string[]> {
  const prefix = showName ? `${file.shown}:` : "";
  const hits: string[] = [];
  let matches = 0;
  let lineNumber = 0;
  try {
    for await (const lines of linesOf(file.path, args.invertMatch ? null : regex)) {
      for (const line of lines) {
        lineNumber++;
        if (regex.test(line) === args.invertMatch) continue;
        matches++;
        if (args.filesWithMatches) break;
        if (!args.count) hits.push(`${prefix}${args.lineNumbers ? `${lineNumber}:` : ""}${line}`);
        if (args.maxCount !== undefined && matches >= args.maxCount) break;
      }
      if (args.filesWithMatches && matches > 0) break;
      if (args.maxCount !== undefined && matches >= args.maxCount) break;
    }
  } catch {
    // A binary file (BinaryFile) or one that cannot be read: rg prints nothing of either.
    return [];
  }
  if (matches === 0) return [];
  if (args.filesWithMatches) return [file.shown];
  if (args.count) return [`${prefix}${matches}`];
  return hits;
}

class BinaryFile extends Error {}

/**
 * A file's lines, a chunk at a time: a small file at once, a large one streamed.
 * BinaryFile at a NUL byte. With `mustMatch`, a small file in which it matches nowhere
 * (tested on the whole text, per line thanks to the `m` flag) gives no lines at all:
 * most files do not match, and splitting them was most of the work.
 */
async function* linesOf(path: string, mustMatch: RegExp | null): AsyncGenerator<string[]> {
  const file = Bun.file(path);
  if (file.size <= WHOLE_FILE_BYTES) {
    const bytes = await file.bytes();
    if (bytes.includes(0)) throw new BinaryFile();
    const text = new TextDecoder().decode(bytes);
    if (mustMatch && !wholeText(mustMatch).test(text)) return;
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    yield lines;
    return;
  }
  const decoder = new TextDecoder();
  let carry = "";
  for await (const chunk of file.stream()) {
    if (chunk.includes(0)) throw new BinaryFile();
    const lines = (carry + decoder.decode(chunk, { stream: true })).split("\n");
    carry = lines.pop()!;
    yield lines;
  }
  carry += decoder.decode();
  if (carry) yield [carry];
}

const multiline = new WeakMap<RegExp, RegExp>();
function wholeText(regex: RegExp): RegExp {
  let found = multiline.get(regex);
  if (!found) multiline.set(regex, (found = new RegExp(regex.source, `${regex.flags}m`)));
  return found;
}

/** What a search printed: whole lines, up to `maxChars` of JSON text. */
function createOutput(maxChars: number) {
  const lines: string[] = [];
  let chars = 0;
  let full = false;
  return {
    lines,
    add(more: string[]) {
      for (const line of more) {
        const size = JSON.stringify(line).length - 1;
        if (full || chars + size > maxChars) {
          full = true;
          return;
        }
        lines.push(line);
        chars += size;
      }
    },
    full: () => full,
  };
}
