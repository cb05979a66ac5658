import type { Database } from "bun:sqlite";

/** Small named values the daemon keeps across restarts (e.g. its machine id). */
export function settingsStore(db: Database) {
  const select = db.query<{ value: string }, [string]>("SELECT value FROM settings WHERE key = ?");
  const upsert = db.query(
    "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  );
  return {
    get: (key: string): string | null => select.get(key)?.value ?? null,
    set: (key: string, value: string): void => void upsert.run(key, value),
    getOrCreate(key: string, create: () => string): string {
      const existing = select.get(key)?.value;
      if (existing !== undefined) return existing;
      const value = create();
      upsert.run(key, value);
      return value;
    },
  };
}
