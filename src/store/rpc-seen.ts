import type { Database } from "bun:sqlite";

/** Past this many rows the oldest are dropped (and said so): a bound even on a phone that never stops. */
export const RPC_SEEN_MAX_ROWS = 500_000;

/**
 * The RPC params this daemon has accepted, by digest, so that a replayed ciphertext is
 * refused across restarts. Callers record only params that authenticated under the
 * key of their session or machine, so nobody without the secret can fill it.
 */
export function rpcSeenStore(db: Database) {
  const insert = db.query("INSERT OR IGNORE INTO rpc_seen (digest, scope, seen_at, expires_at) VALUES (?, ?, ?, ?)");
  const expired = db.query("DELETE FROM rpc_seen WHERE expires_at IS NOT NULL AND expires_at < ?");
  const ofScope = db.query("DELETE FROM rpc_seen WHERE scope = ?");
  const count = db.query<{ n: number }, []>("SELECT count(*) AS n FROM rpc_seen");
  const oldest = db.query(
    "DELETE FROM rpc_seen WHERE digest IN (SELECT digest FROM rpc_seen ORDER BY seen_at LIMIT ?)",
  );

  return {
    /** True the first time `digest` is recorded, false for a replay. */
    recordOnce(digest: Uint8Array, scope: string, now: number, expiresAt: number | null): boolean {
      return insert.run(digest, scope, now, expiresAt).changes > 0;
    },
    /** Drops what can no longer be replayed: expired rows, then the oldest past the row bound. */
    prune(now: number): { expired: number; evicted: number } {
      const gone = expired.run(now).changes;
      const excess = (count.get()?.n ?? 0) - RPC_SEEN_MAX_ROWS;
      return { expired: gone, evicted: excess > 0 ? oldest.run(excess).changes : 0 };
    },
    /** A deleted session's params can reach no handler any more. */
    forgetScope: (scope: string): number => ofScope.run(scope).changes,
  };
}

export type RpcSeenStore = ReturnType<typeof rpcSeenStore>;
