/**
 * Which files an `@` mention suggests: the paths whose name starts with what was typed
 * first, then those whose name or path holds it, then those holding its letters in
 * order (`@sat` finds src/app.tsx); shorter paths first within each.
 */
export function matchPaths(paths: readonly string[], query: string, limit = 8): string[] {
  const q = query.toLowerCase();
  const ranked: Array<{ path: string; rank: number }> = [];
  for (const path of paths) {
    const rank = rankOf(path.toLowerCase(), q);
    if (rank !== null) ranked.push({ path, rank });
  }
  ranked.sort((a, b) => a.rank - b.rank || a.path.length - b.path.length || (a.path < b.path ? -1 : 1));
  return ranked.slice(0, limit).map((r) => r.path);
}

function rankOf(path: string, q: string): number | null {
  if (!q) return 0;
  const name = path.slice(path.lastIndexOf("/", path.length - 2) + 1);
  if (name.startsWith(q)) return 0;
  if (name.includes(q)) return 1;
  if (path.includes(q)) return 2;
  let at = 0;
  for (const char of path) if (char === q[at]) at++;
  return at === q.length ? 3 : null;
}

/** The files and the folders above them (with a trailing slash), as mentions can name either. */
export function withFolders(files: readonly string[]): string[] {
  const folders = new Set<string>();
  for (const file of files) {
    for (let at = file.indexOf("/"); at > 0; at = file.indexOf("/", at + 1)) folders.add(`${file.slice(0, at)}/`);
  }
  return [...files, ...folders];
}

/** The `@word` being typed just before the caret, or null. */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const match = /(^|\s)@([^\s@]*)$/.exec(text.slice(0, caret));
  if (!match) return null;
  return { start: match.index + match[1]!.length, query: match[2]! };
}

/** `text` with the mention at `start` (up to the caret) replaced by `@path `, and where the caret goes. */
export function insertMention(text: string, mention: { start: number }, caret: number, path: string): { text: string; caret: number } {
  const inserted = `@${path} `;
  const rest = text.slice(caret).replace(/^\S*/, "");
  return { text: text.slice(0, mention.start) + inserted + rest.replace(/^ /, ""), caret: mention.start + inserted.length };
}
