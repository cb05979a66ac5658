import type { BashResponse } from "../../protocol/session-rpc.ts";
import { parseGitStatus, type ChangedFile, type GitStatus } from "./git-status.ts";
import type { SessionFiles } from "./session-files.ts";
import { parseUnifiedDiff, type FileDiff } from "./unified-diff.ts";

/** One argument for the POSIX shell, whatever it holds: file names are not commands. */
export const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/**
 * git with the output the parsers read whatever the user's config says: no pager, no
 * colour, no external diff or textconv program, paths taken literally (a file named
 * `*` is that file, not a glob).
 */
const GIT = "git --no-pager --literal-pathspecs -c core.quotePath=false -c color.ui=never";
const DIFF = `${GIT} diff --no-color --no-ext-diff --no-textconv`;

/** The session directory's place in its repository, then the status of what is under it. */
export const STATUS_COMMAND = `${GIT} rev-parse --show-prefix && ${GIT} status --porcelain=v2 --branch -z --untracked-files=all -- .`;

/** Which of a file's differences: in the index, in the work tree, or a file git does not track. */
export type DiffSide = "staged" | "unstaged" | "untracked" | "conflict";

/** The diff of one file, run from the repository root (status paths are relative to it). */
export function diffCommand(file: ChangedFile, side: DiffSide): string {
  const paths = [file.from, file.gitPath].filter((p): p is string => Boolean(p)).map(shellQuote).join(" ");
  const top = `cd "$(${GIT} rev-parse --show-toplevel)" && `;
  switch (side) {
    case "staged":
      return `${top}${DIFF} --cached -M -- ${paths}`;
    case "untracked":
      // Exit 1 means "they differ", as for diff(1): always, against /dev/null.
      return `${top}${DIFF} --no-index -- /dev/null ${shellQuote(file.gitPath)}`;
    default:
      return `${top}${DIFF} -- ${paths}`;
  }
}

export type StatusResult =
  | { kind: "status"; status: GitStatus; cut: string | null }
  | { kind: "not-a-repository" }
  | { kind: "no-git" }
  | { kind: "failed"; error: string };

const CUT_NOTE = /\n?…\[truncated ([^\]]*)\]$/;

/** `text` without the session's "…[truncated 1.2 MB]" last line, and what that line said. */
export function withoutCutNote(text: string): { text: string; cut: string | null } {
  const match = CUT_NOTE.exec(text);
  return match ? { text: text.slice(0, match.index), cut: match[1]! } : { text, cut: null };
}

/** What the Changes screen shows for the status command's answer. */
export function readStatus(answer: BashResponse): StatusResult {
  if (answer.exitCode === 127 || /git: (command )?not found/.test(answer.stderr)) return { kind: "no-git" };
  if (/not a git repository/i.test(answer.stderr)) return { kind: "not-a-repository" };
  if (!answer.success) return { kind: "failed", error: answer.stderr.trim() || answer.error || `git exited with code ${answer.exitCode}` };
  const { text, cut } = withoutCutNote(answer.stdout);
  const newline = text.indexOf("\n");
  const prefix = text.slice(0, newline);
  let records = text.slice(newline + 1);
  // A cut list ends in half a record: leave it out.
  if (cut) records = records.slice(0, records.lastIndexOf("\0") + 1);
  return { kind: "status", status: parseGitStatus(records, prefix), cut };
}

export type DiffResult = { diff: FileDiff; cut: string | null };

export function readDiff(answer: BashResponse, side: DiffSide): DiffResult {
  // git diff --no-index exits 1 when the files differ, which they always do here.
  const ok = answer.success || (side === "untracked" && answer.exitCode === 1);
  if (!ok) throw new Error(answer.stderr.trim() || answer.error || `git diff exited with code ${answer.exitCode}`);
  const { text, cut } = withoutCutNote(answer.stdout);
  return { diff: parseUnifiedDiff(text), cut };
}

export async function gitStatus(files: SessionFiles): Promise<StatusResult> {
  return readStatus(await files.bash(STATUS_COMMAND));
}

export async function gitDiff(files: SessionFiles, file: ChangedFile, side: DiffSide): Promise<DiffResult> {
  return readDiff(await files.bash(diffCommand(file, side)), side);
}
