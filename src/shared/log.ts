import { appendFileSync, chmodSync, existsSync, renameSync, statSync } from "node:fs";
import { isoNow } from "./time.ts";

type Level = "debug" | "info" | "warn" | "error";
export type LogContext = Record<string, string | number | boolean | null | undefined>;

export type Log = {
  debug(event: string, context?: LogContext): void;
  info(event: string, context?: LogContext): void;
  warn(event: string, context?: LogContext): void;
  error(event: string, context?: LogContext): void;
};

/** When a log moves aside (`daemon.log` → `daemon.log.1` …) and how many older files stay (at least 1). */
export type Rotation = Readonly<{ maxBytes: number; keep: number }>;

export const LOG_ROTATION: Rotation = Object.freeze({ maxBytes: 10 * 1024 * 1024, keep: 3 });

function formatValue(value: string | number | boolean | null): string {
  const text = String(value);
  return /[\s"=]/.test(text) || text === "" ? JSON.stringify(text) : text;
}

export function formatLine(level: Level, event: string, context: LogContext = {}): string {
  const pairs = Object.entries(context)
    .filter((entry): entry is [string, string | number | boolean | null] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  return [isoNow(), level, event, ...pairs].join(" ") + "\n";
}

/**
 * Moves `file` to `file.1` (`.1` to `.2` …, the oldest dropped) when `adding` more bytes
 * would take it past `maxBytes`. By rename, so a writer that opens the file by path for
 * each line (our logs) starts the next file at once, and a reader that follows it (`logs
 * -f`) can finish the old one. Every file stays 0600.
 */
export function rotateIfFull(file: string, adding = 0, rotation: Rotation = LOG_ROTATION): boolean {
  const size = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  if (size === 0 || size + adding <= rotation.maxBytes) return false;
  try {
    for (let n = rotation.keep - 1; n >= 1; n--) {
      if (existsSync(`${file}.${n}`)) renameSync(`${file}.${n}`, `${file}.${n + 1}`);
    }
    renameSync(file, `${file}.1`);
    chmodSync(`${file}.1`, 0o600);
    return true;
  } catch {
    // Another writer rotated it at the same moment; the next line goes to whichever file is there.
    return false;
  }
}

/**
 * One line per event, appended synchronously so a line written right before a crash
 * or exit is never lost, and rotated by size (`rotateIfFull`). Never pass secrets in
 * the context.
 */
export function createLog(
  file: string,
  { debug = false, echo = false, rotation = LOG_ROTATION }: { debug?: boolean; echo?: boolean; rotation?: Rotation } = {},
): Log {
  const write = (level: Level, event: string, context?: LogContext) => {
    if (level === "debug" && !debug) return;
    const line = formatLine(level, event, context);
    try {
      rotateIfFull(file, Buffer.byteLength(line), rotation);
      appendFileSync(file, line, { mode: 0o600 });
    } catch {
      // A full disk must not take the daemon down with it.
    }
    if (echo) process.stderr.write(line);
  };
  return {
    debug: (event, context) => write("debug", event, context),
    info: (event, context) => write("info", event, context),
    warn: (event, context) => write("warn", event, context),
    error: (event, context) => write("error", event, context),
  };
}

export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };
