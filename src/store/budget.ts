/** A row of a page to be, by its key, with about the bytes it adds to the JSON answer. */
export type Sized<K> = { key: K; bytes: number };

/** Rows of one page, and whether more follow in the page's order. */
export type Page<T> = { items: T[]; hasMore: boolean };

/** A list's page: at most `limit` rows and about `budget` bytes of them (at least one). */
export type PageBounds = { limit: number; budget: number };

/** Where a list sorted by a time, newest first, goes on: the time and id of its last row. */
export type TimeCursor = { at: number; id: string };

/** Before the first row of such a list: every stored time is earlier, whatever the id. */
export const FIRST_PAGE: TimeCursor = { at: Number.MAX_SAFE_INTEGER, id: "" };

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

/** `rows` in the order of `keys` (a lookup by a set of keys returns them in any order). */
export function inKeyOrder<T>(rows: T[], keys: string[], keyOf: (row: T) => string): T[] {
  const byKey = new Map(rows.map((row) => [keyOf(row), row] as const));
  return keys.flatMap((key) => byKey.get(key) ?? []);
}
