import { Database } from "bun:sqlite";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..", "..");
const ENTRY = join(ROOT, "src", "main.ts");

export type CliResult = { code: number; stdout: string; stderr: string };

/** Every process whose environment names this home: the daemons and sessions a test started. */
export function processesWithHome(home: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const environ = readFileSync(`/proc/${name}/environ`, "utf8");
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
      if (state !== "Z" && environ.split("\0").includes(`REMCLI_HOME=${home}`)) pids.push(Number(name));
    } catch {
      // Gone while we looked.
    }
  }
  return pids;
}

export type Sandbox = {
  home: string;
  env: Record<string, string>;
  /** Runs `remcli <args>` (from source, or the compiled binary the sandbox was made with) with this home. */
  cli(args: string[], options?: { env?: Record<string, string>; timeoutMs?: number }): Promise<CliResult>;
  /** Starts a process of ours in the background; it is killed when the sandbox is disposed. */
  spawn(args: string[], options?: { env?: Record<string, string>; cwd?: string }): ReturnType<typeof Bun.spawn>;
  /** The daemon row as the database holds it. */
  row(): Record<string, unknown> | null;
  history(): Array<{ state: string; reason: string; pid: number | null; version: string | null }>;
  [Symbol.asyncDispose](): Promise<void>;
};

/**
 * A temp REMCLI_HOME and the processes started in it. Disposing it kills every
 * process that carries this home in its environment, by pid, even when the test failed.
 */
export function createSandbox(extraEnv: Record<string, string> = {}, options: { binary?: string } = {}): Sandbox {
  // A compiled binary is its own interpreter; from source, bun runs the entry script.
  const remcli = options.binary ? [options.binary] : [process.execPath, ENTRY];
  const home = mkdtempSync(join(tmpdir(), "remcli-test-"));
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    REMCLI_HOME: home,
    REMCLI_START_TIMEOUT_MS: "15000",
    // Never the machine's own Claude Code: tests that want an agent bring the fake one.
    REMCLI_CLAUDE_PATH: join(home, "claude-not-installed"),
    REMCLI_CLAUDE_PROJECTS_DIR: join(home, "claude-projects"),
    // Nor its other agents: a test names the one it brings (test/helpers/acp.ts).
    REMCLI_GEMINI_PATH: join(home, "gemini-not-installed"),
    REMCLI_CODEX_PATH: join(home, "codex-not-installed"),
    REMCLI_CODEX_ACP_PATH: join(home, "codex-acp-not-installed"),
    REMCLI_OPENCODE_PATH: join(home, "opencode-not-installed"),
    // Nor its login service: a test of `daemon install` names a manager and brings the fakes.
    REMCLI_SERVICE_MANAGER: "none",
    XDG_CONFIG_HOME: join(home, "xdg-config"),
    ...extraEnv,
  };
  const spawned: Array<ReturnType<typeof Bun.spawn>> = [];
  openHomes.add(home);

  const readDb = <T>(read: (db: Database) => T, fallback: T): T => {
    let db: Database | undefined;
    try {
      db = new Database(join(home, "remcli.db"), { readonly: true });
      return read(db);
    } catch {
      return fallback;
    } finally {
      db?.close();
    }
  };

  return {
    home,
    env,
    async cli(args, options = {}) {
      const child = Bun.spawn([...remcli, ...args], {
        env: { ...env, ...options.env },
        stdout: "pipe",
        stderr: "pipe",
        stdin: "ignore",
      });
      spawned.push(child);
      const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
      const [stdout, stderr, code] = await Promise.all([
        new Response(child.stdout).text(),
        new Response(child.stderr).text(),
        child.exited,
      ]);
      clearTimeout(timer);
      return { code, stdout, stderr };
    },
    spawn(args, options = {}) {
      const child = Bun.spawn([...remcli, ...args], {
        env: { ...env, ...options.env },
        cwd: options.cwd,
        stdout: "pipe",
        stderr: "pipe",
        stdin: "ignore",
      });
      spawned.push(child);
      return child;
    },
    row() {
      return readDb((db) => db.query("SELECT * FROM daemon WHERE id = 1").get() as Record<string, unknown> | null, null);
    },
    history() {
      return readDb(
        (db) =>
          db.query("SELECT state, reason, pid, version FROM daemon_history ORDER BY id").all() as Array<{
            state: string;
            reason: string;
            pid: number | null;
            version: string | null;
          }>,
        [],
      );
    },
    async [Symbol.asyncDispose]() {
      for (const child of spawned) child.kill("SIGKILL");
      clearHome(home);
    },
  };
}

/** Kills every process of `home` by pid and removes it; safe to repeat. */
function clearHome(home: string) {
  for (const pid of processesWithHome(home)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  rmSync(home, { recursive: true, force: true });
  openHomes.delete(home);
}

/**
 * Homes not disposed yet. A hook that times out (a slow machine starting a daemon in
 * beforeAll) never reaches its dispose; this net still stops those processes when the
 * test run ends.
 */
const openHomes = new Set<string>();
process.on("exit", () => {
  for (const home of openHomes) clearHome(home);
});

/** Polls until `check` returns a value other than undefined; fails the test after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

export function statusJson(result: CliResult): Record<string, unknown> & { pid: number; state: string } {
  return JSON.parse(result.stdout);
}
