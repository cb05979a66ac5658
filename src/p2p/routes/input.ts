import type { Context } from "hono";
import type { z } from "zod";

/** A client mistake, answered as PROTOCOL.md answers errors: a status and `{ error }`. */
export function badRequest(c: Context, error: z.ZodError | string, part: "body" | "query" = "body") {
  const message =
    typeof error === "string" ? error : error.issues.map((i) => `${i.path.join(".") || part}: ${i.message}`).join("; ");
  return c.json({ error: message }, 400);
}

/** The JSON body checked by `schema`, or the 400 answer saying what is wrong with it. */
export async function parseBody<S extends z.ZodType>(
  c: Context,
  schema: S,
): Promise<{ ok: true; data: z.infer<S> } | { ok: false; response: Response }> {
  let json: unknown;
  try {
    json = await c.req.json();
  } catch {
    return { ok: false, response: badRequest(c, "body: not valid JSON") };
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, response: badRequest(c, parsed.error) };
}
