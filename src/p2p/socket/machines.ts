import type { Socket } from "socket.io";
import {
  MachineAliveEvent,
  MachineUpdateMetadataEvent,
  MachineUpdateStateEvent,
} from "../../protocol/client-events.ts";
import type { SocketDeps } from "./deps.ts";
import { okErrorAnswer, on, resultErrorAnswer } from "./handle.ts";

const unknownMachine = (id: string) => ({ result: "error", message: `unknown machine ${id}` });

/** Events about a machine (a daemon): presence, metadata and daemon state. */
export function machineHandlers(socket: Socket, deps: SocketDeps): void {
  const { log, writes, publisher, presence } = deps;

  on(socket, log, "machine-alive", MachineAliveEvent, ({ machineId, time }, ack) => {
    const at = Math.min(time, Date.now());
    if (!presence.machine(machineId, true, at)) return ack?.(okErrorAnswer(`unknown machine ${machineId}`));
    publisher.ephemeral({ type: "machine-activity", id: machineId, active: true, activeAt: at });
    ack?.({ ok: true });
  }, okErrorAnswer);

  on(socket, log, "machine-update-metadata", MachineUpdateMetadataEvent, ({ machineId, metadata, expectedVersion }, ack) => {
    const written = writes.updateMachineMetadata(machineId, metadata, expectedVersion, socket);
    if (written.result === "not-found") return ack?.(unknownMachine(machineId));
    ack?.({ result: written.result, version: written.version, metadata: written.value });
  }, resultErrorAnswer);

  on(socket, log, "machine-update-state", MachineUpdateStateEvent, ({ machineId, daemonState, expectedVersion }, ack) => {
    const written = writes.updateDaemonState(machineId, daemonState, expectedVersion, socket);
    if (written.result === "not-found") return ack?.(unknownMachine(machineId));
    ack?.({ result: written.result, version: written.version, daemonState: written.value });
  }, resultErrorAnswer);
}
