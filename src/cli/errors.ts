import type { ErrorBody } from "../shared/errors.ts";
import type { Result } from "../shared/result.ts";

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A mistake on the command line: printed with the command's help, exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A command's expected failure, a Result's error: printed by formatError, exit 1. */
export class CommandFailed extends Error {
  override name = "CommandFailed";
  constructor(readonly body: ErrorBody) {
    super(body.message);
  }
}

/** The data of a Result, or its error thrown to the one place that prints it. */
export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new CommandFailed(result.error);
  return result.data;
}
