/**
 * Which message seqs of a session this process has handled — the phone's it read and
 * its own the daemon acknowledged. It keeps the highest seq up to which nothing is
 * missing, so a catch-up asks `after` exactly that and fills any gap, while seqs
 * handled ahead of a gap are remembered (only those: the set stays small).
 */
export function createSeqTracker(start = 0) {
  let upTo = start;
  const ahead = new Set<number>();
  return {
    /** Marks `seq` handled; false when it already was. */
    take(seq: number): boolean {
      if (seq <= upTo || ahead.has(seq)) return false;
      ahead.add(seq);
      while (ahead.delete(upTo + 1)) upTo++;
      return true;
    },
    handledUpTo: () => upTo,
  };
}
