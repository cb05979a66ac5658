import { z } from "zod";
import { ErrorBody, type ErrorCode } from "./errors.ts";

export type Ok<T> = { ok: true; data: T };
export type Fail = { ok: false; error: ErrorBody };
/** The envelope of every control reply, and what the control client returns. */
export type Result<T> = Ok<T> | Fail;

export const ok = <T>(data: T): Ok<T> => ({ ok: true, data });
export const fail = (code: ErrorCode, message: string): Fail => ({
  ok: false,
  error: { code, message },
});

export function envelopeOf<T extends z.ZodType>(data: T) {
  return z.discriminatedUnion("ok", [
    z.object({ ok: z.literal(true), data }),
    z.object({ ok: z.literal(false), error: ErrorBody }),
  ]);
}
