import { createControlClient } from "../daemon/control/client.ts";
import type { Paths } from "../shared/paths.ts";
import { readDaemonAddress, type DaemonAddress } from "./daemon-address.ts";
import { SESSION_PROTOCOL, type StartedBy } from "../protocol/control.ts";
import { VERSION } from "../shared/version.ts";
import type { SessionNotice } from "../protocol/notify.ts";

const RETRIES = 20;
const RETRY_MS = 250;
/** A notice the daemon does not take at once is not worth holding the session for. */
const NOTICE_TIMEOUT_MS = 2_000;

/**
 * The session's standing with the daemon's control API. The control port changes
 * with every daemon start, so each call reads the current address first: after a
 * daemon restart the session reports itself to the new one, and its end is
 * recorded by whichever daemon runs then. The address comes from the daemon's address
 * file and secret files, re-read on every call (daemon-address.ts), never its database.
 */
export function createDaemonRegistration(input: {
  paths: Paths;
  first: DaemonAddress;
  sessionId: string;
  startedBy: StartedBy;
  directory: string;
}) {
  let address = input.first;
  const control = () => {
    address = readDaemonAddress(input.paths) ?? address;
    return createControlClient({ port: address.controlPort, key: address.controlKey });
  };
  const base = { sessionId: input.sessionId, pid: process.pid, startedBy: input.startedBy, directory: input.directory };
  /**
   * With this binary's version and protocol level; a daemon from before they existed
   * refuses unknown fields (bad_request), so it is told again without them.
   */
  const started = async () => {
    const client = control();
    const answer = await client.call("sessionStarted", { ...base, version: VERSION, protocol: SESSION_PROTOCOL });
    if (answer.ok || answer.error.code !== "bad_request") return answer;
    return client.call("sessionStarted", base);
  };

  return {
    started,
    /** After a reconnect the new daemon may still be starting: retry for a few seconds. */
    async startedAgain(): Promise<boolean> {
      for (let attempt = 0; attempt < RETRIES; attempt++) {
        if ((await started()).ok) return true;
        await Bun.sleep(RETRY_MS);
      }
      return false;
    },
    ended: (reason: string, crashed: boolean) =>
      control().call("sessionEnded", { sessionId: input.sessionId, pid: process.pid, reason: reason.slice(0, 500), crashed }),
    /**
     * Fire and forget: a permission request or a finished turn for the notification
     * channels. The address is the one the last (re)connect read, so nothing is opened
     * on the way; a daemon that is away loses the notice, never the session's time.
     */
    notify(notice: SessionNotice): void {
      const client = createControlClient({ port: address.controlPort, key: address.controlKey });
      void client.call("notifyEvent", { sessionId: input.sessionId, notice }, { timeoutMs: NOTICE_TIMEOUT_MS }).catch(() => {});
    },
  };
}
