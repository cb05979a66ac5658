/**
 * `git status --porcelain=v2 --branch -z` read into what the Changes screen lists. The
 * format is git's stable one for scripts (git-status(1), "Porcelain Format Version 2"):
 * `# branch.*` headers, then one NUL-terminated entry per path, paths unquoted.
 */

export type ChangeKind = "modified" | "added" | "deleted" | "renamed" | "copied" | "type-changed" | "conflict" | "untracked";

export type ChangedFile = {
  /** Relative to the session directory (the git root when the session is at the root). */
  path: string;
  /** Relative to the repository root, as git commands run there take it. */
  gitPath: string;
  kind: ChangeKind;
  /** A rename's or copy's source, relative to the repository root. */
  from?: string;
};

export type GitStatus = {
  /** null: detached HEAD. */
  branch: string | null;
  /** null: no commit yet. */
  commit: string | null;
  upstream: string | null;
  ahead: number;
  behind: number;
  staged: ChangedFile[];
  unstaged: ChangedFile[];
  untracked: ChangedFile[];
  conflicted: ChangedFile[];
};

const KINDS: Record<string, ChangeKind> = { M: "modified", A: "added", D: "deleted", R: "renamed", C: "copied", T: "type-changed" };

/**
 * `prefix`: the session directory relative to the repository root, as
 * `git rev-parse --show-prefix` prints it ("" at the root, else ending in "/").
 */
export function parseGitStatus(output: string, prefix: string): GitStatus {
  const status: GitStatus = { branch: null, commit: null, upstream: null, ahead: 0, behind: 0, staged: [], unstaged: [], untracked: [], conflicted: [] };
  const records = output.split("\0");
  const local = (gitPath: string) => (prefix && gitPath.startsWith(prefix) ? gitPath.slice(prefix.length) : gitPath);
  const file = (gitPath: string, kind: ChangeKind, from?: string): ChangedFile => ({ path: local(gitPath), gitPath, kind, ...(from ? { from } : {}) });

  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    if (record.startsWith("# ")) {
      header(status, record.slice(2));
      continue;
    }
    const type = record[0];
    if (type === "?") status.untracked.push(file(record.slice(2), "untracked"));
    if (type === "1" || type === "2") {
      // 1 XY sub mH mI mW hH hI path · 2 XY sub mH mI mW hH hI Xscore path \0 origPath
      const fields = record.split(" ");
      const xy = fields[1] ?? "..";
      const path = fields.slice(type === "1" ? 8 : 9).join(" ");
      const from = type === "2" ? records[++i] : undefined;
      const staged = KINDS[xy[0]!];
      const unstaged = KINDS[xy[1]!];
      if (staged) status.staged.push(file(path, staged, staged === "renamed" || staged === "copied" ? from : undefined));
      if (unstaged) status.unstaged.push(file(path, unstaged));
    }
    // u XY sub m1 m2 m3 mW h1 h2 h3 path
    if (type === "u") status.conflicted.push(file(record.split(" ").slice(10).join(" "), "conflict"));
  }
  return status;
}

function header(status: GitStatus, line: string): void {
  const space = line.indexOf(" ");
  const key = line.slice(0, space);
  const value = line.slice(space + 1);
  if (key === "branch.oid") status.commit = value === "(initial)" ? null : value;
  if (key === "branch.head") status.branch = value === "(detached)" ? null : value;
  if (key === "branch.upstream") status.upstream = value;
  if (key === "branch.ab") {
    const match = /^\+(\d+) -(\d+)$/.exec(value);
    if (match) {
      status.ahead = Number(match[1]);
      status.behind = Number(match[2]);
    }
  }
}

export const changeCount = (status: GitStatus) =>
  new Set([...status.staged, ...status.unstaged, ...status.untracked, ...status.conflicted].map((f) => f.gitPath)).size;
