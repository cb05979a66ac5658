import type { Socket } from "socket.io";
import type { z } from "zod";
import { errorMessage } from "../../shared/errors.ts";
import type { Log } from "../../shared/log.ts";

type Ack = (answer: unknown) => void;

export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue?.path.length ? issue.path.join(".") : "payload";
  return `invalid ${where}: ${issue?.message ?? "bad input"}`;
}

/**
 * Listens for one client event: parses its payload with `schema`, and answers bad
 * input through the ack (in the event's own error shape) instead of throwing. A
 * handler that fails is logged and answered the same way; the daemon carries on.
 */
export function on<S extends z.ZodType>(
  socket: Socket,
  log: Log,
  event: string,
  schema: S,
  handler: (payload: z.infer<S>, ack: Ack | undefined) => void | Promise<void>,
  errorAnswer: (message: string) => unknown,
  /** For events whose answer is an event, not an ack (rpc-register): told of refused input too. */
  refused?: (message: string) => void,
): void {
  socket.on(event, async (...args: unknown[]) => {
    const last = args.at(-1);
    const ack = typeof last === "function" ? (last as Ack) : undefined;
    const parsed = schema.safeParse(args[0]);
    if (!parsed.success) {
      log.debug("socket event refused", { event, socket: socket.id, why: describeIssue(parsed.error) });
      ack?.(errorAnswer(describeIssue(parsed.error)));
      refused?.(describeIssue(parsed.error));
      return;
    }
    try {
      await handler(parsed.data, ack);
    } catch (error) {
      log.error("socket handler failed", { event, error: errorMessage(error) });
      ack?.(errorAnswer("internal error"));
    }
  });
}

export const okErrorAnswer = (message: string) => ({ ok: false, error: message });
export const resultErrorAnswer = (message: string) => ({ result: "error", message });
