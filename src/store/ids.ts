import { randomBytes } from "node:crypto";

/**
 * Ids that sort by creation time (a base-36 millisecond clock, then randomness), so
 * "newest first" and cursors can use the primary key.
 */
export function newId(now = Date.now()): string {
  return now.toString(36).padStart(9, "0") + randomBytes(8).toString("hex");
}
