import { EnvError } from "../shared/env.ts";
import type { ErrorBody, ErrorCode } from "../shared/errors.ts";
import { CommandFailed, EXIT, UsageError } from "./errors.ts";

const HINTS: Partial<Record<ErrorCode, string>> = {
  not_running: "start it with `remcli daemon start`",
  unauthorized: "the control key may have changed; restart the daemon with `remcli daemon stop && remcli daemon start`",
  timeout: "see `remcli daemon logs` for what it was doing",
  spawn_failed: "see `remcli daemon logs`, or run `remcli daemon start-sync` to watch it start",
};

/** The one place that turns an error into the line a user reads. */
export function formatError(error: ErrorBody): string {
  const hint = HINTS[error.code];
  return `remcli: ${error.message}${hint ? ` — ${hint}` : ""}`;
}

/** A bug or an unexpected failure: one line, the stack only with `--debug`. */
export function formatUnexpected(error: unknown, debug: boolean): string {
  if (debug && error instanceof Error && error.stack) return `remcli: ${error.stack}`;
  const message = error instanceof Error ? error.message : String(error);
  return `remcli: ${message} (run again with --debug for details)`;
}

export type Failure = { message: string; code: number; help: boolean };

/** Whatever a command threw: the line to print, the exit code, and whether its help follows. */
export function failureOf(error: unknown, debug: boolean): Failure {
  if (error instanceof UsageError) return { message: `remcli: ${error.message}`, code: EXIT.usage, help: true };
  // A bad environment is the user's setting, not our bug: no stack, no help for the command.
  if (error instanceof EnvError) return { message: `remcli: ${error.message}`, code: EXIT.usage, help: false };
  if (error instanceof CommandFailed) return { message: formatError(error.body), code: EXIT.failed, help: false };
  return { message: formatUnexpected(error, debug), code: EXIT.failed, help: false };
}
