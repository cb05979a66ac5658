import { errorMessage } from "../shared/errors.ts";
import type { Log } from "../shared/log.ts";

export type ShutdownStep = { name: string; run: () => void | Promise<void> };
export type ShutdownRequest = { reason: string; exitCode: number };

/**
 * One shutdown path for every trigger (signals, `/stop`, uncaught errors). The first
 * trigger wins and its reason is recorded; later triggers wait for the same run.
 * Each step runs even if an earlier one failed, so the lock is always released.
 */
export function createShutdown({
  steps,
  log,
  exit,
}: {
  steps: (request: ShutdownRequest) => ShutdownStep[];
  log: Log;
  exit: (code: number) => void;
}) {
  let running: Promise<void> | undefined;

  return (request: ShutdownRequest): Promise<void> => {
    if (running) {
      log.info("shutdown already in progress", { ignoredReason: request.reason });
      return running;
    }
    running = (async () => {
      log.info("shutting down", { reason: request.reason });
      for (const step of steps(request)) {
        try {
          await step.run();
        } catch (error) {
          log.error("shutdown step failed", { step: step.name, error: errorMessage(error) });
        }
      }
      log.info("daemon exited", { reason: request.reason, code: request.exitCode });
      exit(request.exitCode);
    })();
    return running;
  };
}
