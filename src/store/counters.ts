import type { Database } from "bun:sqlite";

/**
 * The user sequence: one counter for the whole store, taken inside the same
 * transaction as the write it numbers, so a rolled-back write leaves no gap.
 */
export function userSeqCounter(db: Database) {
  const advance = db.query<{ value: number }, [number]>(
    "UPDATE counters SET value = value + ?1 WHERE name = 'user_seq' RETURNING value",
  );
  const current = db.query<{ value: number }, []>("SELECT value FROM counters WHERE name = 'user_seq'");
  return {
    next: (): number => advance.get(1)!.value,
    /** `count` consecutive values in one write; returns the first. */
    reserve: (count: number): number => advance.get(count)!.value - count + 1,
    current: (): number => current.get()?.value ?? 0,
  };
}

export type UserSeqCounter = ReturnType<typeof userSeqCounter>;
