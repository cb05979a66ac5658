import { z } from "zod";

/** The closed set of error codes that may cross a process boundary. */
export const ErrorCode = z.enum([
  "unauthorized",
  "bad_request",
  "not_found",
  "not_running",
  "already_running",
  "timeout",
  "spawn_failed",
  "conflict",
  "unavailable",
  "internal",
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({ code: ErrorCode, message: z.string() });
export type ErrorBody = z.infer<typeof ErrorBody>;

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
