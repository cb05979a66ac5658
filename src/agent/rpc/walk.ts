import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import ignore, { type Ignore } from "ignore";
import { isIgnored, rulesAbove, rulesOf, type RuleStack } from "./ignore-rules.ts";

export type WalkOptions = {
  hidden: boolean;
  noIgnore: boolean;
  maxDepth: number | undefined;
  globs: string[];
};

/** A file a walk found: its real path and the path to print, as rg prints it. */
export type Found = { path: string; shown: string };

type Dir = { path: string; depth: number; rules: RuleStack };

/**
 * The files under `root`, as rg walks them: `.git` never, hidden names only with
 * `hidden`, ignore files (.gitignore in a git repository, .ignore, .rgignore) unless
 * `noIgnore`, `-g` globs (the last matching one decides, `!` excludes), symlinks never
 * followed. Entries come sorted by name, so the same tree always lists the same way.
 */
export async function* walkFiles(root: string, shownRoot: string, options: WalkOptions): AsyncGenerator<Found> {
  if (options.maxDepth === 0) return;
  const globs = options.globs.map(globMatcher);
  const positive = globs.some((glob) => !glob.negated);
  const above = options.noIgnore ? { inGitRepo: false, stack: [] } : await rulesAbove(root);
  const pending: Dir[] = [{ path: root, depth: 0, rules: above.stack }];
  const shown = (path: string) => {
    const rel = relative(root, path);
    return shownRoot ? `${shownRoot.replace(/\/+$/, "")}/${rel}` : rel;
  };

  while (pending.length > 0) {
    const dir = pending.pop()!;
    const entries = await readdir(dir.path, { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const own = options.noIgnore ? null : await rulesOf(dir.path, new Set(entries.map((e) => e.name)), above.inGitRepo);
    const rules = own ? [...dir.rules, own] : dir.rules;
    const subdirs: Dir[] = [];
    for (const entry of entries) {
      if (entry.name === ".git" || (!options.hidden && entry.name.startsWith("."))) continue;
      const isDirectory = entry.isDirectory();
      if (!isDirectory && !entry.isFile()) continue;
      const path = join(dir.path, entry.name);
      if (!options.noIgnore && isIgnored(rules, path, isDirectory)) continue;
      const verdict = globVerdict(globs, relative(root, path), isDirectory);
      if (isDirectory) {
        const depth = dir.depth + 1;
        if (verdict !== "exclude" && (options.maxDepth === undefined || depth < options.maxDepth)) subdirs.push({ path, depth, rules });
        continue;
      }
      if (verdict === "exclude" || (positive && verdict !== "include")) continue;
      yield { path, shown: shown(path) };
    }
    // Depth first, in name order: push the last folder first.
    pending.push(...subdirs.reverse());
  }
}

type GlobMatcher = { negated: boolean; matcher: Ignore };

function globMatcher(glob: string): GlobMatcher {
  const negated = glob.startsWith("!");
  return { negated, matcher: ignore().add(negated ? glob.slice(1) : glob) };
}

/** rg's -g: the last glob that matches decides; folders are only ever excluded. */
function globVerdict(globs: GlobMatcher[], rel: string, isDirectory: boolean): "include" | "exclude" | undefined {
  for (let i = globs.length - 1; i >= 0; i--) {
    const glob = globs[i]!;
    if (isDirectory && !glob.negated) continue;
    if (glob.matcher.ignores(rel + (isDirectory ? "/" : ""))) return glob.negated ? "exclude" : "include";
  }
  return undefined;
}
