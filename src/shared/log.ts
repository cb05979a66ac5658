import { appendFileSync } from "node:fs";
import { isoNow } from "./time.ts";

type Level = "debug" | "info" | "warn" | "error";
export type LogContext = Record<string, string | number | boolean | null | undefined>;

export type Log = {
  debug(event: string, context?: LogContext): void;
  info(event: string, context?: LogContext): void;
  warn(event: string, context?: LogContext): void;
  error(event: string, context?: LogContext): void;
};

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
 * One line per event, appended synchronously so a line written right before a crash
 * or exit is never lost. Never pass secrets in the context.
 */
export function createLog(file: string, { debug = false, echo = false } = {}): Log {
  const write = (level: Level, event: string, context?: LogContext) => {
    if (level === "debug" && !debug) return;
    const line = formatLine(level, event, context);
    try {
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
