/**
 * One file's `git diff` (unified format, git-diff(1) "Generating patch text") as rows to
 * show: hunk headers and lines with their old and new line numbers. Flat, so a long
 * diff can be shown a page of rows at a time.
 */

export type DiffRow =
  | { kind: "hunk"; text: string }
  | { kind: "same" | "added" | "removed"; text: string; oldLine?: number; newLine?: number }
  /** `\ No newline at end of file`, and the like. */
  | { kind: "note"; text: string };

export type FileDiff = {
  /** git said "Binary files … differ": there are no lines to show. */
  binary: boolean;
  /** What the header says about the file itself: new, deleted, renamed, mode changed. */
  notes: string[];
  rows: DiffRow[];
  added: number;
  removed: number;
};

const HUNK = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

export function parseUnifiedDiff(text: string): FileDiff {
  const diff: FileDiff = { binary: false, notes: [], rows: [], added: 0, removed: 0 };
  let oldLine = 0;
  let newLine = 0;
  let inHunk = false;
  const lines = text.split("\n");
  // The output ends with a newline: the empty string after it is not a line of the file.
  if (lines.at(-1) === "") lines.pop();
  for (const line of lines) {
    const hunk = HUNK.exec(line);
    if (hunk) {
      inHunk = true;
      oldLine = Number(hunk[1]);
      newLine = Number(hunk[2]);
      diff.rows.push({ kind: "hunk", text: line });
      continue;
    }
    if (line.startsWith("diff --git ")) {
      inHunk = false;
      continue;
    }
    if (!inHunk) {
      header(diff, line);
      continue;
    }
    const body = line.slice(1);
    if (line[0] === "+") {
      diff.added++;
      diff.rows.push({ kind: "added", text: body, newLine: newLine++ });
    } else if (line[0] === "-") {
      diff.removed++;
      diff.rows.push({ kind: "removed", text: body, oldLine: oldLine++ });
    } else if (line[0] === "\\") {
      diff.rows.push({ kind: "note", text: body.trim() });
    } else {
      diff.rows.push({ kind: "same", text: body, oldLine: oldLine++, newLine: newLine++ });
    }
  }
  return diff;
}

const HEADER_NOTES: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/^new file mode (\d+)/, () => "new file"],
  [/^deleted file mode (\d+)/, () => "deleted"],
  [/^old mode (\d+)/, (m) => `mode was ${m[1]}`],
  [/^new mode (\d+)/, (m) => `mode is now ${m[1]}`],
  [/^rename from (.*)/, (m) => `renamed from ${m[1]}`],
  [/^copy from (.*)/, (m) => `copied from ${m[1]}`],
  [/^similarity index (\d+%)/, (m) => `${m[1]} similar`],
];

function header(diff: FileDiff, line: string): void {
  if (/^Binary files .* differ$/.test(line) || line === "GIT binary patch") {
    diff.binary = true;
    return;
  }
  for (const [pattern, note] of HEADER_NOTES) {
    const match = pattern.exec(line);
    if (match) diff.notes.push(note(match));
  }
}
