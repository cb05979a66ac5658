import type { z } from "zod";
import { clientEvents, type ClientAck, type ClientEventName } from "../../protocol/events.ts";
import { errorMessage } from "../../shared/errors.ts";
import type { Log } from "../../shared/log.ts";
import type { IoSocket } from "./io.ts";

type Payload<K extends ClientEventName> = (typeof clientEvents)[K]["payload"] extends z.ZodType
  ? z.output<(typeof clientEvents)[K]["payload"]>
  : never;
type Ack<K extends ClientEventName> = (answer: ClientAck<K>) => void;

export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue?.path.length ? issue.path.join(".") : "payload";
  return `invalid ${where}: ${issue?.message ?? "bad input"}`;
}

/**
 * Listens for one client event of the protocol's table: parses its payload with the
 * table's schema, and answers bad input through the ack (in the event's own error
 * shape) instead of throwing. A handler that fails is logged and answered the same
 * way; the daemon carries on.
 */
export function on<K extends ClientEventName>(
  socket: IoSocket,
  log: Log,
  event: K,
  handler: (payload: Payload<K>, ack: Ack<K> | undefined) => void | Promise<void>,
  /** The event's own error shape for its ack. */
  errorAnswer: (message: string) => ClientAck<K>,
  /** For events whose answer is an event, not an ack (rpc-register): told of refused input too. */
  refused?: (message: string) => void,
): void {
  const schema = clientEvents[event].payload as z.ZodType | null;
  if (!schema) throw new Error(`${event} carries no payload; listen to it directly`);
  // The typed listener maps say what a well-behaved client sends; what arrives is unknown until parsed.
  (socket as unknown as { on(event: string, listener: (...args: unknown[]) => void): void }).on(event, async (...args) => {
    const last = args.at(-1);
    const ack = typeof last === "function" ? (last as Ack<K>) : undefined;
    const parsed = schema.safeParse(args[0]);
    if (!parsed.success) {
      log.debug("socket event refused", { event, socket: socket.id, why: describeIssue(parsed.error) });
      ack?.(errorAnswer(describeIssue(parsed.error)));
      refused?.(describeIssue(parsed.error));
      return;
    }
    try {
      await handler(parsed.data as Payload<K>, ack);
    } catch (error) {
      log.error("socket handler failed", { event, error: errorMessage(error) });
      ack?.(errorAnswer("internal error"));
    }
  });
}

export const okErrorAnswer = (message: string) => ({ ok: false as const, error: message });
export const resultErrorAnswer = (message: string) => ({ result: "error" as const, message });
