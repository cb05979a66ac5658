import type { Log } from "../shared/log.ts";

export type RefusalSummaryOptions = { intervalMs?: number; top?: number; maxKeys?: number };

/**
 * Counts refusals of one kind (failed socket auths, refused handshakes, refused RPCs) and
 * logs them as at most one line per interval: the first refusal after a quiet interval
 * at once, the ones after it as a count with the most frequent keys (an address, or an
 * address and a reason) when the interval ends. One client failing in a loop would
 * otherwise write a line per attempt: ~700 MB of log an hour.
 */
export function createRefusalSummary(log: Log, event: string, { intervalMs = 60_000, top = 3, maxKeys = 1_000 }: RefusalSummaryOptions = {}) {
  let counts = new Map<string, number>();
  let total = 0;
  let lastLine = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (total === 0) return;
    const most = [...counts].sort((a, b) => b[1] - a[1]).slice(0, top);
    log.warn(event, { count: total, distinct: counts.size, top: most.map(([key, n]) => `${key}×${n}`).join(",") });
    counts = new Map();
    total = 0;
    lastLine = performance.now();
  };

  return {
    record(key: string): void {
      total++;
      // Keys past maxKeys (an attacker with many addresses) are counted, not named.
      const slot = counts.has(key) || counts.size < maxKeys ? key : "other";
      counts.set(slot, (counts.get(slot) ?? 0) + 1);
      if (timer) return;
      const wait = lastLine + intervalMs - performance.now();
      if (wait <= 0) return flush();
      timer = setTimeout(flush, wait);
      timer.unref();
    },
    /** Writes what is counted now (at shutdown, so that nothing counted is lost). */
    flush,
  };
}

export type RefusalSummary = ReturnType<typeof createRefusalSummary>;
