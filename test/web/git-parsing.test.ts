import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "bun:test";
import { diffCommand, readDiff, readStatus, shellQuote, STATUS_COMMAND } from "../../src/web/files/git.ts";
import { changeCount, parseGitStatus } from "../../src/web/files/git-status.ts";
import { parseUnifiedDiff } from "../../src/web/files/unified-diff.ts";

// The Changes screen's parsers: git's porcelain v2 status and its unified diff, as tables,
// then against what a real git prints for a real repository.

const bash = (stdout: string, exitCode = 0, stderr = "") => ({ success: exitCode === 0, stdout, stderr, exitCode });
const HASH = "0123456789abcdef0123456789abcdef01234567";

describe("git status --porcelain=v2 --branch -z", () => {
  const cases: Array<{ name: string; output: string; prefix?: string; expected: Record<string, unknown> }> = [
    {
      name: "branch, upstream, ahead and behind",
      output: `# branch.oid ${HASH}\0# branch.head main\0# branch.upstream origin/main\0# branch.ab +2 -3\0`,
      expected: { branch: "main", commit: HASH, upstream: "origin/main", ahead: 2, behind: 3, staged: [], unstaged: [] },
    },
    {
      name: "a new repository (no commit) and a detached HEAD",
      output: "# branch.oid (initial)\0# branch.head (detached)\0",
      expected: { branch: null, commit: null, upstream: null, ahead: 0, behind: 0 },
    },
    {
      name: "staged and unstaged changes of one file go to both lists",
      output: `1 MM N... 100644 100644 100644 ${HASH} ${HASH} src/a.ts\x001 .D N... 100644 100644 000000 ${HASH} ${HASH} gone.txt\x001 A. N... 000000 100644 100644 ${HASH} ${HASH} new file.txt\0`,
      expected: {
        staged: [
          { path: "src/a.ts", gitPath: "src/a.ts", kind: "modified" },
          { path: "new file.txt", gitPath: "new file.txt", kind: "added" },
        ],
        unstaged: [
          { path: "src/a.ts", gitPath: "src/a.ts", kind: "modified" },
          { path: "gone.txt", gitPath: "gone.txt", kind: "deleted" },
        ],
      },
    },
    {
      name: "a rename carries its source; untracked and conflicted files",
      output: `2 R. N... 100644 100644 100644 ${HASH} ${HASH} R100 b.txt\0a.txt\0? notes/todo.md\0u UU N... 100644 100644 100644 100644 ${HASH} ${HASH} ${HASH} merge.txt\0`,
      expected: {
        staged: [{ path: "b.txt", gitPath: "b.txt", kind: "renamed", from: "a.txt" }],
        untracked: [{ path: "notes/todo.md", gitPath: "notes/todo.md", kind: "untracked" }],
        conflicted: [{ path: "merge.txt", gitPath: "merge.txt", kind: "conflict" }],
      },
    },
    {
      name: "a session in a subfolder sees paths relative to it, git paths to the root",
      output: `1 .M N... 100644 100644 100644 ${HASH} ${HASH} app/src/x.ts\0? app/y.ts\0`,
      prefix: "app/",
      expected: {
        unstaged: [{ path: "src/x.ts", gitPath: "app/src/x.ts", kind: "modified" }],
        untracked: [{ path: "y.ts", gitPath: "app/y.ts", kind: "untracked" }],
      },
    },
  ];
  for (const { name, output, prefix, expected } of cases) {
    test(name, () => expect(parseGitStatus(output, prefix ?? "")).toMatchObject(expected));
  }

  test("the status command's answer: not a repository, no git, another failure, a cut list", () => {
    expect(readStatus(bash("", 128, "fatal: not a git repository (or any of the parent directories): .git\n"))).toEqual({ kind: "not-a-repository" });
    expect(readStatus(bash("", 127, "sh: 1: git: not found\n"))).toEqual({ kind: "no-git" });
    expect(readStatus(bash("", 128, "fatal: detected dubious ownership in repository at '/x'\n"))).toEqual({
      kind: "failed",
      error: "fatal: detected dubious ownership in repository at '/x'",
    });
    const cut = readStatus(bash(`\n# branch.oid ${HASH}\0# branch.head main\0? a.txt\0? b.t\n…[truncated 3.2 MB]`));
    expect(cut).toMatchObject({ kind: "status", cut: "3.2 MB", status: { untracked: [{ path: "a.txt" }] } });
  });
});

describe("unified diff", () => {
  test("hunks with old and new line numbers, counts, the no-newline note", () => {
    const diff = parseUnifiedDiff(
      [
        "diff --git a/a.ts b/a.ts",
        "index 1111111..2222222 100644",
        "--- a/a.ts",
        "+++ b/a.ts",
        "@@ -1,3 +1,3 @@ function top()",
        " one",
        "-two",
        "+TWO",
        " three",
        "@@ -10,2 +10,3 @@",
        " ten",
        "+ten and a half",
        " eleven",
        "\\ No newline at end of file",
        "",
      ].join("\n"),
    );
    expect(diff).toEqual({
      binary: false,
      notes: [],
      added: 2,
      removed: 1,
      rows: [
        { kind: "hunk", text: "@@ -1,3 +1,3 @@ function top()" },
        { kind: "same", text: "one", oldLine: 1, newLine: 1 },
        { kind: "removed", text: "two", oldLine: 2 },
        { kind: "added", text: "TWO", newLine: 2 },
        { kind: "same", text: "three", oldLine: 3, newLine: 3 },
        { kind: "hunk", text: "@@ -10,2 +10,3 @@" },
        { kind: "same", text: "ten", oldLine: 10, newLine: 10 },
        { kind: "added", text: "ten and a half", newLine: 11 },
        { kind: "same", text: "eleven", oldLine: 11, newLine: 12 },
        { kind: "note", text: "No newline at end of file" },
      ],
    });
  });

  test("a line that looks like a header inside a hunk is a line of the file", () => {
    const diff = parseUnifiedDiff("--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n--- a/x\n+++ b/x\n");
    expect(diff.rows.slice(1)).toEqual([
      { kind: "removed", text: "-- a/x", oldLine: 1 },
      { kind: "added", text: "++ b/x", newLine: 1 },
    ]);
  });

  test("new, deleted, renamed, mode changes and binary files are said, not drawn", () => {
    expect(parseUnifiedDiff("diff --git a/x b/x\nnew file mode 100644\nindex 0000000..e69de29\n").notes).toEqual(["new file"]);
    expect(parseUnifiedDiff("diff --git a/x b/y\nsimilarity index 90%\nrename from x\nrename to y\n").notes).toEqual(["90% similar", "renamed from x"]);
    expect(parseUnifiedDiff("diff --git a/x b/x\nold mode 100644\nnew mode 100755\n").notes).toEqual(["mode was 100644", "mode is now 100755"]);
    expect(parseUnifiedDiff("diff --git a/i.png b/i.png\nindex 1..2 100644\nBinary files a/i.png and b/i.png differ\n")).toMatchObject({ binary: true, rows: [] });
  });

  test("an untracked file's diff exits 1 and is still read; a failed one throws", () => {
    expect(readDiff(bash("@@ -0,0 +1 @@\n+x\n", 1), "untracked").diff.added).toBe(1);
    expect(() => readDiff(bash("", 128, "fatal: bad revision\n"), "staged")).toThrow("fatal: bad revision");
  });
});

describe("commands", () => {
  test("a file name is one shell argument, whatever it holds", () => {
    for (const name of ["plain.txt", "it's.txt", "$(touch pwned)", "a b\tc", "`id`;x", "'", "\\'\"*"]) {
      const echoed = Bun.spawnSync(["/bin/sh", "-c", `printf %s ${shellQuote(name)}`], { stdout: "pipe" });
      expect(echoed.stdout.toString()).toBe(name);
    }
  });

  test("against a real repository: staged, unstaged, untracked, a rename and a name that looks like a command", () => {
    const repo = mkdtempSync(join(tmpdir(), "remcli-git-"));
    try {
      const git = (...args: string[]) => Bun.spawnSync(["git", "-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: repo });
      const sh = (command: string, cwd = repo) => {
        const ran = Bun.spawnSync(["/bin/sh", "-c", command], { cwd, stdout: "pipe", stderr: "pipe" });
        return { success: ran.exitCode === 0, stdout: ran.stdout.toString(), stderr: ran.stderr.toString(), exitCode: ran.exitCode ?? -1 };
      };
      expect(readStatus(sh(STATUS_COMMAND))).toEqual({ kind: "not-a-repository" });
      git("init", "-q", "-b", "main");
      mkdirSync(join(repo, "sub"));
      writeFileSync(join(repo, "a.txt"), "one\ntwo\nthree\n");
      writeFileSync(join(repo, "old.txt"), "moved content\n".repeat(5));
      writeFileSync(join(repo, "sub", "s.txt"), "s\n");
      git("add", ".");
      git("commit", "-q", "-m", "start");
      writeFileSync(join(repo, "a.txt"), "one\nTWO\nthree\n");
      git("add", "a.txt");
      writeFileSync(join(repo, "a.txt"), "one\nTWO\nthree\nfour\n");
      git("mv", "old.txt", "new.txt");
      writeFileSync(join(repo, "$(touch pwned).txt"), "x\n");
      writeFileSync(join(repo, "sub", "s.txt"), "s2\n");

      const result = readStatus(sh(STATUS_COMMAND));
      if (result.kind !== "status") throw new Error(JSON.stringify(result));
      const { status } = result;
      expect(status).toMatchObject({ branch: "main", commit: expect.stringMatching(/^[0-9a-f]{40}$/), upstream: null });
      expect(status.staged.map((f) => [f.kind, f.path, f.from])).toEqual([
        ["modified", "a.txt", undefined],
        ["renamed", "new.txt", "old.txt"],
      ]);
      expect(status.unstaged.map((f) => [f.kind, f.path])).toEqual([["modified", "a.txt"], ["modified", "sub/s.txt"]]);
      expect(status.untracked.map((f) => f.path)).toEqual(["$(touch pwned).txt"]);
      expect(changeCount(status)).toBe(4);

      const diff = (file: (typeof status.staged)[number], side: "staged" | "unstaged" | "untracked", cwd = repo) => readDiff(sh(diffCommand(file, side), cwd), side).diff;
      expect(diff(status.staged[0]!, "staged").rows.filter((r) => r.kind !== "same")).toEqual([
        { kind: "hunk", text: "@@ -1,3 +1,3 @@" },
        { kind: "removed", text: "two", oldLine: 2 },
        { kind: "added", text: "TWO", newLine: 2 },
      ]);
      expect(diff(status.unstaged[0]!, "unstaged")).toMatchObject({ added: 1, removed: 0 });
      expect(diff(status.staged[1]!, "staged").notes).toEqual(["100% similar", "renamed from old.txt"]);
      expect(diff(status.untracked[0]!, "untracked")).toMatchObject({ notes: ["new file"], added: 1 });
      expect(existsSync(join(repo, "pwned"))).toBe(false);

      // From a subfolder: only what is under it, paths relative to it, diffs still found.
      const inSub = readStatus(sh(STATUS_COMMAND, join(repo, "sub")));
      if (inSub.kind !== "status") throw new Error(JSON.stringify(inSub));
      expect(inSub.status.unstaged).toEqual([{ path: "s.txt", gitPath: "sub/s.txt", kind: "modified" }]);
      expect(inSub.status.staged).toEqual([]);
      expect(diff(inSub.status.unstaged[0]!, "unstaged", join(repo, "sub")).added).toBe(1);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
