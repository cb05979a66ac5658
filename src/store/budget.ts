import type { Database, Statement } from "bun:sqlite";

/** A row of a page to be, by its key, with about the bytes it adds to the JSON answer. */
export type Sized<K> = { key: K; bytes: number };

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
export const ROW_OVERHEAD_BYTES = 512;

/**
 * The keys of a page: the longest prefix of `sized` within `limit` rows and `budget`
 * bytes, but never empty while rows exist, so paging never stalls on one large row.
 * `sized` must hold one row more than `limit` when there are more: that row is how we
 * know the page is not the last.
 */
export function fitBudget<K>(sized: Sized<K>[], limit: number, budget: number): { keys: K[]; hasMore: boolean } {
  const keys: K[] = [];
  let bytes = 0;
  for (const row of sized) {
    if (keys.length === limit) break;
    if (keys.length > 0 && bytes + row.bytes > budget) break;
    keys.push(row.key);
    bytes += row.bytes;
  }
  return { keys, hasMore: keys.length < sized.length };
}

/**
 * A page read in two steps: the sizes first (small rows, one more than `limit`), then only
 * the rows that fit, so a page of large rows is never built to be thrown away.
 */
export function budgetedPage<K, T>(
  sized: Sized<K>[],
  page: { limit: number; budget: number },
  read: (keys: K[]) => T[],
): Page<T> {
  const { keys, hasMore } = fitBudget(sized, page.limit, page.budget);
  return { items: keys.length === 0 ? [] : read(keys), hasMore };
}

/**
 * A page of a list sorted by a time, newest first (ties by id): `sizes` takes the
 * cursor's time and id and how many rows to size.
 */
export function timePage<T>(
  sizes: Statement<Sized<string>, [number, string, number]>,
  after: TimeCursor | null,
  bounds: PageBounds,
  read: (ids: string[]) => T[],
): Page<T> {
  const { at, id } = after ?? FIRST_PAGE;
  return budgetedPage(sizes.all(at, id, bounds.limit + 1), bounds, read);
}

/** Rows of `table` by id in one query, returned in the order of the ids asked for. */
export function readerByIds<T extends { id: string }>(
  db: Database,
  table: string,
  columns: string,
  toRecord: (row: unknown) => T,
): (ids: string[]) => T[] {
  const byIds = db.query(`SELECT ${columns} FROM ${table} WHERE id IN (SELECT value FROM json_each(?))`);
  return (ids) => {
    const found = new Map(byIds.all(JSON.stringify(ids)).map(toRecord).map((record) => [record.id, record] as const));
    return ids.flatMap((id) => found.get(id) ?? []);
  };
}
