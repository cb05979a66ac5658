import { randomBytes } from "node:crypto";

// A random start per process, then a counter: unique without asking the OS for
// randomness on every id (two per message on the hot path).
const PROCESS_PREFIX = randomBytes(3).toString("hex");
let counter = randomBytes(5).readUIntBE(0, 5);
const COUNTER_SPACE = 2 ** 40;

/**
 * Ids that sort by creation time (a base-36 millisecond clock, then 16 hex digits: a
 * per-process prefix and a counter), so "newest first" and cursors can use the
 * primary key.
 */
export function newId(now = Date.now()): string {
  counter = (counter + 1) % COUNTER_SPACE;
  return now.toString(36).padStart(9, "0") + PROCESS_PREFIX + counter.toString(16).padStart(10, "0");
}
