import type { P2pServer } from "../p2p/server.ts";
import type { Machine } from "./machine.ts";

export type MachineRpcActions = {
  spawnSession: (params: unknown) => Promise<unknown>;
  stopSession: (params: unknown) => Promise<unknown>;
  stopDaemon: () => Promise<unknown>;
  bash: (params: unknown) => Promise<unknown>;
};

/**
 * The machine RPCs the phone calls on this daemon. The P2P server's gate hands them only
 * params that authenticated under this machine's key and were never used before
 * (src/p2p/socket/rpc-gate.ts), and encrypts their answers the same way.
 */
export function serveMachineRpc({
  server,
  machine,
  actions,
}: {
  server: P2pServer;
  machine: Machine;
  actions: MachineRpcActions;
}): void {
  const serve = (name: string, run: (params: unknown) => Promise<unknown>) => {
    server.rpc.serveLocally(`${machine.id}:${name}`, run);
  };

  serve("spawn-remcli-session", actions.spawnSession);
  serve("stop-session", actions.stopSession);
  serve("stop-daemon", () => actions.stopDaemon());
  // The seed's name for stop-daemon; the reference app may call either.
  serve("requestShutdown", () => actions.stopDaemon());
  serve("bash", actions.bash);
}
