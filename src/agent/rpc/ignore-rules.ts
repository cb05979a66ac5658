import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import ignore, { type Ignore } from "ignore";

/** One folder's ignore rules, for paths below `base`. */
export type Rules = { base: string; ignore: Ignore };
/** The rules that apply at a point of a walk, outermost first. */
export type RuleStack = readonly Rules[];

/** Files with ignore rules in a folder, later ones winning, as rg reads them. */
const GIT_FILES = [".gitignore"];
const ALWAYS_FILES = [".ignore", ".rgignore"];

/**
 * Whether `path` (absolute; a folder when `isDirectory`) is ignored: the deepest folder
 * with an opinion decides, as git does, so a nested `!pattern` re-includes.
 */
export function isIgnored(stack: RuleStack, path: string, isDirectory: boolean): boolean {
  for (let i = stack.length - 1; i >= 0; i--) {
    const rules = stack[i]!;
    const verdict = rules.ignore.test(relative(rules.base, path) + (isDirectory ? "/" : ""));
    if (verdict.ignored) return true;
    if (verdict.unignored) return false;
  }
  return false;
}

/** The rules a folder adds (given the names it holds), or null when it has none. */
export async function rulesOf(dir: string, names: ReadonlySet<string>, inGitRepo: boolean): Promise<Rules | null> {
  const files = [...(inGitRepo ? GIT_FILES : []), ...ALWAYS_FILES].filter((name) => names.has(name));
  if (files.length === 0) return null;
  const texts = await Promise.all(files.map((name) => readFile(join(dir, name), "utf8").catch(() => "")));
  return { base: dir, ignore: ignore().add(texts.join("\n")) };
}

/**
 * Where a walk from `root` starts: whether it is inside a git repository (rg applies
 * .gitignore files only there) and the rules of the folders above it up to that
 * repository's root, with its `.git/info/exclude`. Global git excludes are not read.
 */
export async function rulesAbove(root: string): Promise<{ inGitRepo: boolean; stack: Rules[] }> {
  const ancestors: string[] = [];
  let repo: string | null = null;
  for (let dir = root; ; dir = dirname(dir)) {
    ancestors.push(dir);
    if (existsSync(join(dir, ".git"))) {
      repo = dir;
      break;
    }
    if (dir === dirname(dir)) break;
  }
  if (!repo) return { inGitRepo: false, stack: [] };
  const stack: Rules[] = [];
  const exclude = await readFile(join(repo, ".git", "info", "exclude"), "utf8").catch(() => "");
  if (exclude) stack.push({ base: repo, ignore: ignore().add(exclude) });
  // The root's own files are read when the walk lists it.
  for (const dir of ancestors.slice(1).reverse()) {
    const names = new Set([...GIT_FILES, ...ALWAYS_FILES].filter((name) => existsSync(join(dir, name))));
    const rules = await rulesOf(dir, names, true);
    if (rules) stack.push(rules);
  }
  return { inGitRepo: true, stack };
}
