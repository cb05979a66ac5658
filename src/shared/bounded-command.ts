import { constants } from "node:os";

/** Between SIGTERM to a command's process group and SIGKILL: time for git to drop its locks. */
const GRACE_MS = 1_000;

export type CommandOutcome = {
  /** The exit code; for a process ended by a signal, 128 + its number; -1 when it never ran. */
  exitCode: number;
  /** The kept part of each stream; `…Cut` says how many bytes of it were not kept. */
  stdout: string;
  stderr: string;
  stdoutCut: number;
  stderrCut: number;
  timedOut: boolean;
  /** Bytes the command wrote on stdout and stderr together, also those cut. */
  bytes: number;
  /** Why it could not start (a missing program or folder). */
  error?: string;
};

export type BoundedOptions = {
  cwd: string;
  timeoutMs: number;
  /** Most characters of stdout and of stderr, each, counted as JSON text. */
  outputChars: number;
};

/**
 * Runs `argv` (never through a shell unless argv says so) in a process group of its own,
 * so a timeout ends the whole group — the shell, what it started, and what those started.
 * Output past the cap is read and counted, not kept, and the text says how much was cut.
 * Whatever the command left running in its group when it exits ends with it: an answer
 * never waits on, nor leaks, a background job.
 */
export async function runBounded(argv: string[], options: BoundedOptions): Promise<CommandOutcome> {
  let child: Bun.Subprocess<"ignore", "pipe", "pipe">;
  try {
    child = Bun.spawn(argv, { cwd: options.cwd, detached: true, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { exitCode: -1, stdout: "", stderr: "", stdoutCut: 0, stderrCut: 0, timedOut: false, bytes: 0, error: `could not start ${argv[0]}: ${message}` };
  }
  const group = processGroup(child);
  const rawCap = options.outputChars;
  const out = drain(child.stdout, rawCap);
  const err = drain(child.stderr, rawCap);

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    group.end();
  }, options.timeoutMs);
  await child.exited;
  clearTimeout(timer);
  group.end();
  // A member that left the group (setsid) may still hold the pipes: stop reading after the grace.
  const giveUp = setTimeout(() => {
    out.cancel();
    err.cancel();
  }, GRACE_MS * 2);
  const [stdout, stderr] = await Promise.all([out.done, err.done]);
  clearTimeout(giveUp);
  const kept = { out: capText(stdout, options.outputChars), err: capText(stderr, options.outputChars) };
  return {
    exitCode: exitCodeOf(child),
    stdout: kept.out.text,
    stderr: kept.err.text,
    stdoutCut: kept.out.cut,
    stderrCut: kept.err.cut,
    timedOut,
    bytes: stdout.total + stderr.total,
  };
}

/** Groups still running; a process that exits takes them with it (they were started for its answers). */
const live = new Set<number>();
let exitHook = false;
const killLive = () => {
  for (const pid of live) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
};

/** SIGTERM to the whole group, SIGKILL a moment later to what is left of it. */
function processGroup(child: { pid: number; kill(signal?: NodeJS.Signals): void }) {
  if (process.platform !== "win32") live.add(child.pid);
  if (!exitHook) {
    exitHook = true;
    process.on("exit", killLive);
  }
  let ending = false;
  // Windows has no process groups to signal: the command alone is ended there.
  const signal = (name: NodeJS.Signals) => {
    try {
      if (process.platform === "win32") child.kill(name);
      else process.kill(-child.pid, name);
      return true;
    } catch {
      return false;
    }
  };
  return {
    end() {
      if (ending) return;
      ending = true;
      if (!signal("SIGTERM")) return void live.delete(child.pid);
      setTimeout(() => {
        signal("SIGKILL");
        live.delete(child.pid);
      }, GRACE_MS).unref();
    },
  };
}

function exitCodeOf(child: { exitCode: number | null; signalCode: NodeJS.Signals | number | null }): number {
  if (child.exitCode !== null) return child.exitCode;
  const signal = child.signalCode;
  if (typeof signal === "number") return 128 + signal;
  return signal ? 128 + (constants.signals[signal] ?? 0) : -1;
}

type Drained = { bytes: Uint8Array; total: number };

/** Reads a stream to its end, keeping its first `cap` bytes and counting all of them. */
function drain(stream: ReadableStream<Uint8Array>, cap: number) {
  const reader = stream.getReader();
  const kept: Uint8Array[] = [];
  let keptBytes = 0;
  let total = 0;
  const done = (async (): Promise<Drained> => {
    try {
      for (;;) {
        const { value, done: ended } = await reader.read();
        if (ended) break;
        total += value.byteLength;
        if (keptBytes >= cap) continue;
        const part = value.byteLength <= cap - keptBytes ? value : value.subarray(0, cap - keptBytes);
        kept.push(part);
        keptBytes += part.byteLength;
      }
    } catch {
      // Cancelled: what was read so far is the answer.
    }
    return { bytes: Buffer.concat(kept), total };
  })();
  return { done, cancel: () => void reader.cancel().catch(() => {}) };
}

/** The text of `drained` cut to `maxChars` as JSON counts them, and how many bytes were cut. */
function capText(drained: Drained, maxChars: number): { text: string; cut: number } {
  const text = fitJsonChars(Buffer.from(drained.bytes).toString("utf8"), maxChars);
  return { text, cut: Math.max(0, drained.total - Buffer.byteLength(text)) };
}

/** `text` and, when something was cut, a last line saying how much: `…[truncated 12.3 MB]`. */
export function withCutNote(text: string, cutBytes: number, of = ""): string {
  if (cutBytes <= 0) return text;
  return `${text}${text.endsWith("\n") || text === "" ? "" : "\n"}…[truncated ${formatBytes(cutBytes)}${of ? ` of ${of}` : ""}]`;
}

/** The longest prefix of `text` whose JSON string form has at most `maxChars` characters. */
export function fitJsonChars(text: string, maxChars: number): string {
  let fitted = text;
  // Control characters grow sixfold in JSON; a couple of proportional cuts converge quickly.
  for (let length = JSON.stringify(fitted).length - 2; length > maxChars; length = JSON.stringify(fitted).length - 2) {
    fitted = fitted.slice(0, Math.floor((fitted.length * maxChars) / length) - 1);
  }
  return fitted;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} KB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
