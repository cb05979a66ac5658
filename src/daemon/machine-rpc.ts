import type { Log } from "../shared/log.ts";
import type { P2pServer } from "../p2p/server.ts";
import type { Machine } from "./machine.ts";

export type MachineRpcActions = {
  spawnSession: (params: unknown) => Promise<unknown>;
  stopSession: (params: unknown) => Promise<unknown>;
  stopDaemon: () => Promise<unknown>;
};

export class UndecryptableParams extends Error {
  override name = "UndecryptableParams";
}

/**
 * The machine RPCs the phone calls on this daemon. The bearer token alone must never
 * run anything: params have to decrypt and authenticate under the shared secret, and
 * results go back encrypted the same way.
 */
export function serveMachineRpc({
  server,
  machine,
  log,
  actions,
}: {
  server: P2pServer;
  machine: Machine;
  log: Log;
  actions: MachineRpcActions;
}): void {
  const serve = (name: string, run: (params: unknown) => Promise<unknown>) => {
    const method = `${machine.id}:${name}`;
    server.rpc.serveLocally(method, async (encrypted) => {
      const cipher = machine.cipher();
      const params = typeof encrypted === "string" ? cipher.decrypt(encrypted) : null;
      if (params === null) {
        log.warn("machine rpc refused: params did not decrypt", { method });
        throw new UndecryptableParams("params did not decrypt with this machine's key; pair again");
      }
      return cipher.encrypt(await run(params));
    });
  };

  serve("spawn-remcli-session", actions.spawnSession);
  serve("stop-session", actions.stopSession);
  serve("stop-daemon", () => actions.stopDaemon());
  // The seed's name for stop-daemon; the reference app may call either.
  serve("requestShutdown", () => actions.stopDaemon());
}
