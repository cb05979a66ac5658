import { createControlClient } from "../daemon/control/client.ts";
import type { Config } from "../shared/env.ts";
import type { Paths } from "../shared/paths.ts";
import { VERSION } from "../shared/version.ts";
import type { DaemonAddress } from "./daemon-address.ts";
import { openSessionLink, type StartedBy } from "./session-link.ts";

const NO_AGENT = `No agent is attached to this session yet (remcli ${VERSION}), so nothing will answer; your message was stored.`;

/**
 * A session process: registers its session with the daemon and keeps it alive until
 * SIGTERM/SIGINT. Until an agent runner is attached it answers each phone message
 * with an honest event saying so — never made-up agent output.
 */
export async function runSessionProcess(input: {
  config: Config;
  paths: Paths;
  daemon: DaemonAddress;
  startedBy: StartedBy;
  directory: string;
  say: (line: string) => void;
}): Promise<number> {
  const { config, daemon } = input;
  const link = await openSessionLink({
    daemon,
    startedBy: input.startedBy,
    directory: input.directory,
    onUserMessage: () =>
      link.send({
        role: "agent",
        content: { type: "event", id: crypto.randomUUID(), data: { type: "message", message: NO_AGENT } },
      }),
  });

  const control = createControlClient({ port: daemon.controlPort, key: daemon.controlKey });
  const reported = await control.call("sessionStarted", {
    sessionId: link.sessionId,
    pid: process.pid,
    startedBy: input.startedBy,
    directory: input.directory,
  });
  if (!reported.ok) input.say(`remcli: could not report the session to the daemon: ${reported.error.message}`);

  link.alive(false);
  const alive = setInterval(() => link.alive(false), config.sessionAliveMs);
  input.say(`remcli session ${link.sessionId} in ${input.directory} (no agent attached yet; Ctrl-C ends it)`);

  const signal = await new Promise<string>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGHUP", () => resolve("SIGHUP"));
  });
  clearInterval(alive);
  await link.close();
  await control.call("sessionEnded", { sessionId: link.sessionId, pid: process.pid, reason: `${signal} received` });
  input.say(`remcli session ${link.sessionId} ended (${signal})`);
  return 0;
}
