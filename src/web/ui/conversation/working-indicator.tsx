import { useEffect, useState } from "preact/hooks";

/** "12 s", "3 min 05 s", "1 h 02 min": how long the agent has been at it. */
export function elapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/**
 * At the end of the conversation while the agent works (the session's `thinking`
 * activity): moving dots and the time since this phone saw the turn start, ticking
 * once a second. Screen readers hear "Agent working" once, not every tick.
 */
export function WorkingIndicator({ since }: { since: number }) {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return (
    <p class="working" role="status">
      <span class="working-dots" aria-hidden="true"><i /><i /><i /></span>
      Working <span class="working-time" aria-hidden="true">{elapsed(now - since)}</span>
    </p>
  );
}
