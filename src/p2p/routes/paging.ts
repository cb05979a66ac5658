import type { Context } from "hono";
import { z } from "zod";
import type { TimeCursor } from "../../store/budget.ts";
import { badRequest } from "./input.ts";

/**
 * About how many bytes one list answer may hold. `limit` bounds rows, not bytes: a page of
 * 1,000 messages of 1 MB would be a gigabyte of JSON built in memory. Four times the default
 * message limit, so a page still holds several of the largest messages (and always one).
 */
export const RESPONSE_BUDGET_BYTES = 4 * 1024 * 1024;

/** Rows of one `GET /v1/sessions` page (PROTOCOL.md §6: "at most 150"). */
export const SESSIONS_PAGE = 150;

/**
 * How many machines one daemon keeps. It makes one for itself; a machine row is never
 * deleted, so without a bound any token holder could add rows forever.
 */
export const MAX_MACHINES = 32;

const CursorFields = z.tuple([z.number().int(), z.string().max(300)]);

/** Opaque to clients, safe in a URL and a header: base64url of `[time, id]`. */
export function encodeCursor(cursor: TimeCursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.id])).toString("base64url");
}

/** `?cursor=` decoded, null for the first page, or the 400 answer for a cursor that is not ours. */
export function cursorOf(c: Context, cursor: string | undefined): TimeCursor | null | Response {
  if (cursor === undefined) return null;
  return decodeCursor(cursor) ?? badRequest(c, "cursor: not a cursor");
}

function decodeCursor(text: string): TimeCursor | null {
  try {
    const parsed = CursorFields.safeParse(JSON.parse(Buffer.from(text, "base64url").toString("utf8")));
    return parsed.success ? { at: parsed.data[0], id: parsed.data[1] } : null;
  } catch {
    return null;
  }
}
