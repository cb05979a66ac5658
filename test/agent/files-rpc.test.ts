import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Socket } from "socket.io-client";
import { createCipher } from "../../src/crypto/session-cipher.ts";
import { APP_MINIMUM_CLI_VERSION } from "../../src/protocol/app-version.ts";
import { fakeClaude, phoneSession, type FakeClaude } from "../helpers/agent.ts";
import { startDaemon, type Daemon } from "../helpers/p2p.ts";
import { eventually, isAlive } from "../helpers/sandbox.ts";
import { machineRpc } from "../helpers/sessions.ts";

// One session serves the whole table: the project below, with `rg` made unavailable so
// the built-in search answers. Its files never change except where a test writes its own.

const sha256 = (bytes: Uint8Array | string) => new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
const git = (cwd: string, ...args: string[]) => {
  const ran = Bun.spawnSync(["git", "-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  if (ran.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${ran.stderr.toString()}`);
};
const BINARY = new Uint8Array([0, 1, 2, ...new TextEncoder().encode("needle"), 0, 255, 254]);
/** The app's own CLI detection command (hooks/useCLIDetection.ts). */
const CLI_DETECTION =
  '(command -v claude >/dev/null 2>&1 && echo "claude:true" || echo "claude:false") && ' +
  '(command -v codex >/dev/null 2>&1 && echo "codex:true" || echo "codex:false") && ' +
  '(command -v agent >/dev/null 2>&1 && echo "cursor:true" || echo "cursor:false") && ' +
  '(command -v gemini >/dev/null 2>&1 && echo "gemini:true" || echo "gemini:false")';

function makeProject(home: string) {
  const project = join(home, "work", "project");
  const outside = join(home, "outside");
  mkdirSync(join(project, "src", "deep"), { recursive: true });
  mkdirSync(join(project, "build"), { recursive: true });
  mkdirSync(outside, { recursive: true });
  const files: Record<string, string | Uint8Array> = {
    ".gitignore": "build/\n*.log\n",
    "notes.md": "# Notes\nsecret-marker-1234\n",
    "src/a.ts": "const needle = 1;\nexport {};\n",
    "src/b.ts": "// Needle in caps\nconst other = 2;\n",
    "src/deep/c.ts": "needle again\n",
    "build/out.js": "needle in build\n",
    "debug.log": "needle in a log\n",
    ".hidden": "needle hidden\n",
    "binary.bin": BINARY,
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(join(project, name), content);
  writeFileSync(join(outside, "secret.txt"), "outside secret\n");
  symlinkSync(outside, join(project, "link-out"));
  symlinkSync(join(outside, "secret.txt"), join(project, "secret-link"));
  symlinkSync(join(project, "src", "a.ts"), join(project, "link-in"));
  git(project, "init", "-q");
  git(project, "add", ".");
  git(project, "commit", "-q", "-m", "start");
  // One change for git status to find.
  writeFileSync(join(project, "src", "b.ts"), "// Needle in caps\nconst other = 3;\n");
  return { project, outside };
}

let claude: FakeClaude;
let daemon: Daemon;
let phone: Socket;
let session: Awaited<ReturnType<typeof phoneSession>>;
let sessionId: string;
let project: string;
let outside: string;
const rpc = (name: string, params: unknown) => session.rpc(name, params);

beforeAll(async () => {
  claude = fakeClaude();
  daemon = await startDaemon({ ...claude.env, REMCLI_RG_PATH: "/nonexistent/rg" });
  ({ project, outside } = makeProject(daemon.box.home));
  phone = await daemon.connect();
  const answer = await machineRpc(daemon, phone, "spawn-remcli-session", { type: "spawn-in-directory", directory: project });
  if (answer.type !== "success") throw new Error(`spawn failed: ${JSON.stringify(answer)}`);
  sessionId = answer.sessionId;
  session = await phoneSession(daemon, phone, sessionId);
  await eventually("the session to be ready", async () => ((await session.state()).version > 0 ? true : undefined));
}, 30_000);

afterAll(async () => {
  await daemon?.[Symbol.asyncDispose]();
  claude?.[Symbol.dispose]();
});

describe("the session's file and shell RPCs, as the app calls them", () => {
  test("bash runs in the session directory or a folder inside it; success is exit code 0", async () => {
    expect(await rpc("bash", { command: "pwd" })).toEqual({ success: true, stdout: `${project}\n`, stderr: "", exitCode: 0 });
    expect((await rpc("bash", { command: "pwd", cwd: "src" })).stdout).toBe(`${join(project, "src")}\n`);
    expect(await rpc("bash", { command: "echo out; echo err >&2; exit 3" })).toEqual({
      success: false,
      stdout: "out\n",
      stderr: "err\n",
      exitCode: 3,
      error: "Command exited with code 3",
    });
    // gitStatusSync: an absolute cwd (the session's metadata.path), porcelain v2.
    const status = await rpc("bash", { command: "git status --porcelain=v2 --branch --untracked-files=all", cwd: project, timeout: 10_000 });
    expect(status).toMatchObject({ success: true, exitCode: 0 });
    expect(status.stdout).toContain("# branch.head");
    expect(status.stdout).toMatch(/^1 \.M .* src\/b\.ts$/m);
    expect(await rpc("bash", {})).toMatchObject({ success: false, exitCode: -1, error: expect.stringContaining("invalid bash request: command") });
    // The app's version check reads the session's metadata.
    expect((await session.state()).metadata.version.localeCompare(APP_MINIMUM_CLI_VERSION, undefined, { numeric: true })).toBeGreaterThanOrEqual(0);
  });

  test("output past 1 MB is cut, and says how much was cut", async () => {
    const answer = await rpc("bash", { command: "head -c 3000000 /dev/zero | tr '\\0' a" });
    expect(answer.success).toBe(true);
    expect(answer.stdout).toEndWith("\n…[truncated 2.0 MB]");
    expect(answer.stdout.length).toBeLessThan(1024 * 1024 + 100);
    expect(answer.stdout.startsWith("a".repeat(1000))).toBe(true);
  });

  test("a timeout kills the whole process group: the shell and a grandchild that ignores SIGTERM", async () => {
    const started = Date.now();
    const answer = await rpc("bash", { command: "echo $$; (trap '' TERM; sleep 300) & echo $!; wait", timeout: 1_000 });
    expect(answer).toMatchObject({ success: false, exitCode: -1, error: "Command timed out after 1 s; its process group was killed" });
    const pids = answer.stdout.trim().split("\n").map(Number);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test("at most 4 commands run at once in a session; one more is refused with a clear error", async () => {
    const waiting = [1, 2, 3, 4].map((i) => rpc("bash", { command: `touch .started-${i}; while [ ! -e .go ]; do sleep 0.02; done; echo ${i}` }));
    await eventually("four commands to run", () => ([1, 2, 3, 4].every((i) => existsSync(join(project, `.started-${i}`))) ? true : undefined));
    const refused = await rpc("bash", { command: "echo five" });
    expect(refused).toMatchObject({ success: false, error: "4 commands are already running in this session; try again when one ends" });
    expect(await rpc("ripgrep", { args: ["--files"] })).toMatchObject({ success: false, error: expect.stringContaining("4 commands") });
    writeFileSync(join(project, ".go"), "");
    expect((await Promise.all(waiting)).map((a) => a.stdout)).toEqual(["1\n", "2\n", "3\n", "4\n"]);
    expect((await rpc("bash", { command: "echo five; rm .go .started-*" })).stdout).toBe("five\n");
  });

  test("readFile answers base64 and its sha256, byte for byte also for a binary file", async () => {
    const text = await rpc("readFile", { path: "src/a.ts" });
    expect(text).toEqual({ success: true, content: Buffer.from("const needle = 1;\nexport {};\n").toString("base64"), hash: sha256("const needle = 1;\nexport {};\n"), size: 29 });
    const binary = await rpc("readFile", { path: join(project, "binary.bin") });
    expect(new Uint8Array(Buffer.from(binary.content, "base64"))).toEqual(BINARY);
    expect((await rpc("readFile", { path: "link-in" })).hash).toBe(text.hash);
    expect(await rpc("readFile", { path: "src" })).toEqual({ success: false, error: "src is a folder; list it with listDirectory" });
    expect(await rpc("readFile", { path: "missing.txt" })).toEqual({ success: false, error: "missing.txt does not exist" });
    expect(await rpc("listDirectory", { path: "notes.md/x" })).toEqual({ success: false, error: "notes.md/x: a part of it is not a folder" });
  });

  test("readFile and writeFile carry 2 MiB through the phone's path, and refuse more", async () => {
    const limit = crypto.getRandomValues(new Uint8Array(2 * 1024 * 1024));
    expect((await rpc("writeFile", { path: "limit.dat", content: Buffer.from(limit).toString("base64") })).success).toBe(true);
    const back = await rpc("readFile", { path: "limit.dat" });
    expect(back.hash).toBe(sha256(limit));
    expect(Buffer.from(back.content, "base64").equals(Buffer.from(limit))).toBe(true);

    writeFileSync(join(project, "big.dat"), new Uint8Array(3 * 1024 * 1024));
    const read = await rpc("readFile", { path: "big.dat" });
    expect(read).toEqual({ success: false, error: expect.stringMatching(/^big\.dat is 3\.1 MB; files up to 2 MiB are read and written here/) });
    const written = await rpc("writeFile", { path: "big2.dat", content: Buffer.alloc(2 * 1024 * 1024 + 3).toString("base64") });
    expect(written).toMatchObject({ success: false, error: expect.stringContaining("content is larger than 2097152 bytes") });
    expect(existsSync(join(project, "big2.dat"))).toBe(false);
    await rpc("bash", { command: "rm big.dat limit.dat" });
  });

  test("readFile reads a page of a file of any size, with the whole size and no hash unless it is the whole file", async () => {
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
    writeFileSync(join(project, "pages.dat"), big);
    const page = async (offset: number | undefined, length: number | undefined) => {
      const answer = await rpc("readFile", { path: "pages.dat", ...(offset !== undefined ? { offset } : {}), ...(length !== undefined ? { length } : {}) });
      return { ...answer, content: answer.content === undefined ? undefined : new Uint8Array(Buffer.from(answer.content, "base64")) };
    };
    expect(await page(0, 1000)).toEqual({ success: true, content: big.subarray(0, 1000), size: big.byteLength });
    expect(await page(big.byteLength - 10, 1000)).toEqual({ success: true, content: big.subarray(big.byteLength - 10), size: big.byteLength });
    expect(await page(big.byteLength + 5, 10)).toEqual({ success: true, content: new Uint8Array(), size: big.byteLength });
    // An offset alone reads the most one answer carries from there.
    expect((await page(1024 * 1024, undefined)).content).toEqual(big.subarray(1024 * 1024, 3 * 1024 * 1024));
    // A range that covers a small file is the whole file: it has its hash for a later writeFile.
    expect(await rpc("readFile", { path: "src/a.ts", offset: 0, length: 4096 })).toMatchObject({ hash: sha256("const needle = 1;\nexport {};\n"), size: 29 });
    expect(await rpc("readFile", { path: "pages.dat", length: 2 * 1024 * 1024 + 1 })).toMatchObject({ success: false, error: expect.stringContaining("length") });
    expect(await rpc("readFile", { path: "pages.dat", offset: -1 })).toMatchObject({ success: false, error: expect.stringContaining("offset") });
    await rpc("bash", { command: "rm pages.dat" });
  });

  test("writeFile: a new file, a stale expectedHash refused and nothing written, the right one replaces, no temp file left", async () => {
    const content = (text: string) => Buffer.from(text).toString("base64");
    const created = await rpc("writeFile", { path: "src/new.txt", content: content("one\n"), expectedHash: null });
    expect(created).toEqual({ success: true, hash: sha256("one\n") });
    expect(readFileSync(join(project, "src", "new.txt"), "utf8")).toBe("one\n");

    expect(await rpc("writeFile", { path: "src/new.txt", content: content("two\n") })).toEqual({
      success: false,
      error: "src/new.txt already exists; send its hash as expectedHash to replace it",
    });
    const stale = await rpc("writeFile", { path: "src/new.txt", content: content("two\n"), expectedHash: sha256("something else") });
    expect(stale).toEqual({ success: false, error: expect.stringContaining("src/new.txt changed since it was read") });
    expect(readFileSync(join(project, "src", "new.txt"), "utf8")).toBe("one\n");

    expect(await rpc("writeFile", { path: "src/new.txt", content: content("two\n"), expectedHash: created.hash })).toEqual({ success: true, hash: sha256("two\n") });
    expect(readFileSync(join(project, "src", "new.txt"), "utf8")).toBe("two\n");
    expect(readdirSync(join(project, "src")).filter((name) => name.includes("remcli"))).toEqual([]);
    expect((await rpc("writeFile", { path: "nope/x.txt", content: content("x") })).error).toBe("the folder of nope/x.txt does not exist");
    expect((await rpc("writeFile", { path: "src/y.txt", content: "not base64!" })).error).toContain("content is not base64");
    await rpc("bash", { command: "rm src/new.txt" });
  });

  test("listDirectory: folders first, then files, with size and time; symlinks are `other`", async () => {
    const listed = await rpc("listDirectory", { path: "." });
    expect(listed.success).toBe(true);
    const names = listed.entries.map((e: { name: string; type: string }) => `${e.type}:${e.name}`);
    expect(names.slice(0, 3)).toEqual(["directory:.git", "directory:build", "directory:src"]);
    expect(names).toContain("file:notes.md");
    expect(names).toContain("other:link-out");
    expect(listed.entries.find((e: { name: string }) => e.name === "notes.md")).toEqual({ name: "notes.md", type: "file", size: 27, modified: expect.any(Number) });
  });

  test("getDirectoryTree: maxDepth levels, symlinks left out, .git not opened", async () => {
    const shallow = await rpc("getDirectoryTree", { path: ".", maxDepth: 1 });
    expect(shallow.tree).toMatchObject({ name: "project", path: ".", type: "directory" });
    const top = shallow.tree.children.map((c: { name: string }) => c.name);
    expect(top).toEqual([".git", "build", "src", ".gitignore", ".hidden", "binary.bin", "debug.log", "notes.md"]);
    expect(shallow.tree.children.find((c: { name: string }) => c.name === "src").children).toBeUndefined();

    const deep = await rpc("getDirectoryTree", { path: "src", maxDepth: 3 });
    expect(deep.tree.children.map((c: { path: string }) => c.path)).toEqual(["src/deep", "src/a.ts", "src/b.ts"]);
    expect(deep.tree.children[0].children).toEqual([{ name: "c.ts", path: "src/deep/c.ts", type: "file", size: 13, modified: expect.any(Number) }]);
    const full = await rpc("getDirectoryTree", { path: ".", maxDepth: 3 });
    expect(full.tree.children.find((c: { name: string }) => c.name === ".git").children).toBeUndefined();
    expect((await rpc("getDirectoryTree", { path: ".", maxDepth: 99 })).error).toContain("maxDepth");
  });

  test("paths outside the session directory are refused: .., absolute, a symlink out, a new file under one", async () => {
    const escapes = ["../outside/secret.txt", join(outside, "secret.txt"), "/etc/passwd", "secret-link", "link-out/secret.txt", "src/../../outside"];
    for (const path of escapes) {
      const refused = { success: false, error: `Access denied: ${path} is outside the session directory ${project}` };
      expect(await rpc("readFile", { path })).toEqual(refused);
      expect(await rpc("listDirectory", { path })).toEqual(refused);
      expect(await rpc("getDirectoryTree", { path, maxDepth: 1 })).toEqual(refused);
      expect(await rpc("writeFile", { path, content: "eA==" })).toEqual(refused);
      expect(await rpc("ripgrep", { args: ["--files"], cwd: path })).toEqual(refused);
      expect(await rpc("bash", { command: "pwd", cwd: path })).toMatchObject({ success: false, exitCode: -1, error: refused.error });
    }
    expect(await rpc("writeFile", { path: "link-out/new.txt", content: "eA==" })).toMatchObject({ success: false });
    expect(existsSync(join(outside, "new.txt"))).toBe(false);
    expect((await rpc("ripgrep", { args: ["needle", "../outside"] })).error).toContain("is outside the session directory");
    expect(readFileSync(join(outside, "secret.txt"), "utf8")).toBe("outside secret\n");
  });

  test("ripgrep without rg: the built-in search lists and searches as rg does", async () => {
    // The app's @-mention list (suggestionFile.ts): ignored, hidden, .git, and symlinks left out.
    const listed = await rpc("ripgrep", { args: ["--files", "--follow"] });
    expect(listed).toMatchObject({ success: true, exitCode: 0, stderr: "" });
    expect(listed.stdout.split("\n").filter(Boolean).sort()).toEqual(["binary.bin", "notes.md", "src/a.ts", "src/b.ts", "src/deep/c.ts"]);
    const found = await rpc("ripgrep", { args: ["-n", "needle"] });
    expect(found.stdout.split("\n").filter(Boolean).sort()).toEqual(["src/a.ts:1:const needle = 1;", "src/deep/c.ts:1:needle again"]);
    expect((await rpc("ripgrep", { args: ["-il", "NEEDLE"], cwd: "src" })).stdout.split("\n").filter(Boolean).sort()).toEqual(["a.ts", "b.ts", "deep/c.ts"]);
    expect((await rpc("ripgrep", { args: ["needle", "src/a.ts"] })).stdout).toBe("const needle = 1;\n");
    expect(await rpc("ripgrep", { args: ["nothing-matches-this"] })).toMatchObject({ success: true, exitCode: 1, stdout: "" });

    // More than 1 MB of matches: whole lines up to the cap, and stderr says it stopped there.
    mkdirSync(join(project, "many"));
    writeFileSync(join(project, "many", "lines.txt"), "a needle on a line of its own\n".repeat(100_000));
    const many = await rpc("ripgrep", { args: ["needle", "many"] });
    expect(many).toMatchObject({ success: true, exitCode: 0 });
    expect(many.stdout.length).toBeLessThanOrEqual(1024 * 1024);
    expect(many.stdout.split("\n").slice(0, -1).every((line: string) => line === "many/lines.txt:a needle on a line of its own")).toBe(true);
    expect(many.stderr).toMatch(/^…\[truncated: stdout stopped at 1\.0 MB, and the search with it\]$/);
    await rpc("bash", { command: "rm -r many" });
  });

  test("ripgrep arguments that could run programs or read other files are refused; unknown flags too", async () => {
    expect(await rpc("ripgrep", { args: ["--pre", "sh", "x"] })).toEqual({ success: false, error: "ripgrep argument --pre is not allowed: it runs a program on every file" });
    expect((await rpc("ripgrep", { args: ["-z", "x"] })).error).toContain("not allowed");
    expect((await rpc("ripgrep", { args: ["--pre=sh", "x"] })).error).toContain("--pre is not allowed");
    expect((await rpc("ripgrep", { args: ["-f", "/etc/passwd"] })).error).toContain("-f is not allowed");
    expect((await rpc("ripgrep", { args: ["--json", "x"] })).error).toContain("--json is not supported here");
    // An argument is never read by a shell: this is a pattern, not a command.
    expect(await rpc("ripgrep", { args: ["$(touch pwned)"] })).toMatchObject({ success: true, exitCode: 1 });
    expect(existsSync(join(project, "pwned"))).toBe(false);
  });

  test("every call is one line in the sessions log, without file contents", async () => {
    await rpc("readFile", { path: "notes.md" });
    const log = readFileSync(join(daemon.box.home, "logs", "sessions.log"), "utf8");
    const rpcLines = log.split("\n").filter((line) => line.includes(" session rpc "));
    expect(rpcLines.some((line) => /method=readFile path=notes\.md bytes=27 ms=\d+/.test(line))).toBe(true);
    expect(rpcLines.some((line) => /method=bash command=pwd exit=0 bytes=\d+ timeoutMs=\d+ ms=\d+/.test(line))).toBe(true);
    expect(rpcLines.some((line) => /method=ripgrep args=.*engine=builtin exit=0/.test(line))).toBe(true);
    expect(log).not.toContain("secret-marker-1234");
  });
});

describe("the machine's bash, as the app calls it", () => {
  test("CLI detection with cwd \"/\" runs in the home folder", async () => {
    const detected = await machineRpc(daemon, phone, "bash", { command: CLI_DETECTION, cwd: "/" });
    expect(detected).toMatchObject({ success: true, exitCode: 0 });
    expect(detected.stdout).toMatch(/^claude:(true|false)\ncodex:(true|false)\ncursor:(true|false)\ngemini:(true|false)\n$/);
    expect((await machineRpc(daemon, phone, "bash", { command: "pwd", cwd: "/" })).stdout).toBe(`${homedir()}\n`);
    expect(await machineRpc(daemon, phone, "bash", { command: "pwd", cwd: "relative" })).toMatchObject({ success: false, error: expect.stringContaining("not an existing folder") });
    expect(readFileSync(join(daemon.box.home, "logs", "daemon.log"), "utf8")).toMatch(/machine bash command=pwd cwd=\S+ exit=0 ms=\d+/);
  });

  test("worktree creation (createWorktree.ts): git in the project's folder", async () => {
    const repo = join(daemon.box.home, "work", "worktrees");
    mkdirSync(repo, { recursive: true });
    writeFileSync(join(repo, "a.txt"), "a\n");
    git(repo, "init", "-q");
    git(repo, "add", ".");
    git(repo, "commit", "-q", "-m", "a");
    expect(await machineRpc(daemon, phone, "bash", { command: "git rev-parse --git-dir", cwd: repo })).toMatchObject({ success: true, stdout: ".git\n" });
    const added = await machineRpc(daemon, phone, "bash", { command: "git worktree add -b brave-fox .dev/worktree/brave-fox", cwd: repo });
    expect(added).toMatchObject({ success: true, exitCode: 0 });
    expect(readFileSync(join(repo, ".dev", "worktree", "brave-fox", "a.txt"), "utf8")).toBe("a\n");
  });
});

describe("ripgrep with rg installed", () => {
  const rg = Bun.which("rg");
  test.skipIf(!rg)("rg and the built-in search give the same answers", async () => {
    // A second session in the same folder, this one finding rg on PATH.
    daemon.box.spawn([], { cwd: project, env: { REMCLI_RG_PATH: "" } });
    const sessions = async () => (await daemon.api("/v1/sessions")).body.sessions as Array<{ id: string; metadata: string; dataEncryptionKey: string }>;
    const other = await eventually("the second session", async () =>
      (await sessions()).find((s) => s.id !== sessionId && (createCipher(daemon.secret, s.dataEncryptionKey).decrypt(s.metadata) as { path?: string } | null)?.path === project),
    );
    const withRg = await phoneSession(daemon, phone, other.id);
    await eventually("its RPCs", () => withRg.rpc("ripgrep", { args: ["--files"] }).catch(() => undefined));
    const cases = [["--files", "--follow"], ["--files", "--hidden"], ["--files", "-g", "*.ts"], ["--files", "-g", "!src/deep"], ["-n", "needle"], ["-il", "NEEDLE"], ["-c", "-S", "needle"], ["-w", "needle", "src"], ["-F", "needle = 1", "src/a.ts"], ["--no-ignore", "-l", "needle"], ["--max-depth", "1", "--files"]];
    for (const args of cases) {
      const [fromRg, builtin] = await Promise.all([withRg.rpc("ripgrep", { args }), rpc("ripgrep", { args })]);
      const lines = (answer: { stdout: string }) => answer.stdout.split("\n").filter(Boolean).sort();
      expect({ args, exitCode: builtin.exitCode, lines: lines(builtin) }).toEqual({ args, exitCode: fromRg.exitCode, lines: lines(fromRg) });
    }
  }, 30_000);
});
