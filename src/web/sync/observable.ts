/**
 * The smallest store that works with Preact hooks: state lives in plain objects,
 * `changed()` bumps a version and tells subscribers. Views read the objects directly.
 */
export function createObservable() {
  const listeners = new Set<() => void>();
  let version = 0;
  let scheduled = false;
  return {
    get version() {
      return version;
    },
    subscribe(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Coalesces bursts (a page of 100 messages) into one re-render per microtask. */
    changed(): void {
      version++;
      if (scheduled) return;
      scheduled = true;
      queueMicrotask(() => {
        scheduled = false;
        for (const listener of [...listeners]) listener();
      });
    },
  };
}

export type Observable = ReturnType<typeof createObservable>;
