import type { SocketDeps } from "./deps.ts";
import type { IoSocket } from "./io.ts";
import { okErrorAnswer, on, resultErrorAnswer } from "./handle.ts";


/** Events about a machine (a daemon): presence, metadata and daemon state. */
export function machineHandlers(socket: IoSocket, deps: SocketDeps): void {
  const { log, writes, publisher, presence } = deps;

  on(socket, log, "machine-alive", ({ machineId, time }, ack) => {
    const at = Math.min(time, Date.now());
    if (!presence.machine(machineId, true, at)) return ack?.(okErrorAnswer(`unknown machine ${machineId}`));
    publisher.ephemeral({ type: "machine-activity", id: machineId, active: true, activeAt: at });
    ack?.({ ok: true });
  }, okErrorAnswer);

  on(socket, log, "machine-update-metadata", ({ machineId, metadata, expectedVersion }, ack) => {
    const written = writes.updateMachineMetadata(machineId, metadata, expectedVersion, socket);
    if (written.result === "not-found") return ack?.(resultErrorAnswer(`unknown machine ${machineId}`));
    ack?.({ result: written.result, version: written.version, metadata: written.value });
  }, resultErrorAnswer);

  on(socket, log, "machine-update-state", ({ machineId, daemonState, expectedVersion }, ack) => {
    const written = writes.updateDaemonState(machineId, daemonState, expectedVersion, socket);
    if (written.result === "not-found") return ack?.(resultErrorAnswer(`unknown machine ${machineId}`));
    ack?.({ result: written.result, version: written.version, daemonState: written.value });
  }, resultErrorAnswer);
}
