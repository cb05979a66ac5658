import type { Statement } from "bun:sqlite";

/** Rows of one page, and whether more follow in the page's order. */
export type Page<T> = { items: T[]; hasMore: boolean };

/** A list's page: at most `limit` rows and about `budget` bytes of them (at least one). */
export type PageBounds = { limit: number; budget: number };

/** Where a list sorted by a time, newest first, goes on: the time and id of its last row. */
export type TimeCursor = { at: number; id: string };

/** Before the first row of such a list: every stored time is earlier, whatever the id. */
const FIRST_PAGE: TimeCursor = { at: Number.MAX_SAFE_INTEGER, id: "" };

/**
 * JSON around a row's blobs (ids, versions, times, key names); generous, so the budget
 * errs on the small side.
 */
const ROW_OVERHEAD_BYTES = 512;

/**
 * A page taken from rows as SQLite steps through them (a statement's `iterate`, asked
 * for `limit + 1` rows): at most `limit` and about `budget` bytes, never empty while rows
 * exist, so paging never stalls on one large row. It stops at the first row that does not
 * fit, so a page of large rows is never built, and at most one row past the page is read —
 * that row is how it knows more follow. SQL cannot size the rows for us: `length()` of a
 * text reads all of it (1,000 rows of 1 MB took 5 s), and `octet_length()` is missing from
 * the SQLite of older macOS.
 */
export function takeWithinBudget<T, R = unknown>(
  rows: Iterable<R>,
  bounds: PageBounds,
  toRecord: (row: R) => T,
  bytesOf: (record: T) => number,
): Page<T> {
  const items: T[] = [];
  let bytes = 0;
  // Leaving the loop early ends the statement (for-of calls its return()), so no read
  // transaction stays open to hold back the WAL checkpoint.
  for (const row of rows) {
    const record = toRecord(row);
    const size = bytesOf(record) + ROW_OVERHEAD_BYTES;
    if (items.length === bounds.limit || (items.length > 0 && bytes + size > bounds.budget)) return { items, hasMore: true };
    items.push(record);
    bytes += size;
  }
  return { items, hasMore: false };
}

/** A page of a list sorted by a time, newest first (ties by id): `rows` takes the cursor and a limit. */
export function timePage<T>(
  rows: Statement<unknown, [number, string, number]>,
  after: TimeCursor | null,
  bounds: PageBounds,
  toRecord: (row: unknown) => T,
  bytesOf: (record: T) => number,
): Page<T> {
  const { at, id } = after ?? FIRST_PAGE;
  return takeWithinBudget(rows.iterate(at, id, bounds.limit + 1), bounds, toRecord, bytesOf);
}
