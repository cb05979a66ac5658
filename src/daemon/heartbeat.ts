import { errorMessage } from "../shared/errors.ts";
import type { Log } from "../shared/log.ts";

export type HeartbeatTask = { name: string; run: () => void | Promise<void> };

/**
 * Runs its tasks every `intervalMs`, one beat at a time: a slow beat delays the next
 * instead of overlapping it. A failing task is logged and does not stop the others.
 */
export function startHeartbeat({
  intervalMs,
  tasks,
  log,
}: {
  intervalMs: number;
  tasks: HeartbeatTask[];
  log: Log;
}) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const beat = async () => {
    for (const task of tasks) {
      if (stopped) return;
      try {
        await task.run();
      } catch (error) {
        log.warn("heartbeat task failed", { task: task.name, error: errorMessage(error) });
      }
    }
    if (!stopped) timer = setTimeout(beat, intervalMs);
  };
  timer = setTimeout(beat, intervalMs);

  return {
    /** Runs one beat now (self-update asks for this instead of waiting). */
    beatNow: () => beat(),
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
