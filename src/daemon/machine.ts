import { hostname, homedir } from "node:os";
import { randomUUID } from "node:crypto";
import { createNativeCipher } from "../crypto/native.ts";
import { newDataEncryptionKey } from "../crypto/session-cipher.ts";
import type { P2pServer } from "../p2p/server.ts";
import type { MachineAgents, MachineDaemonState } from "../protocol/plaintext.ts";
import type { Paths } from "../shared/paths.ts";
import { VERSION } from "../shared/version.ts";
import type { Store } from "../store/store.ts";

/**
 * This computer as the phone sees it: a machine record whose metadata and daemon
 * state the daemon encrypts as any client would (PROTOCOL.md §7), with a data key of
 * its own wrapped for the content key pair of the shared secret.
 */
export function createMachine(deps: { server: P2pServer; store: Store; paths: Paths; secret: Uint8Array; agents: () => MachineAgents }) {
  const { server, store, paths } = deps;
  const id = store.settings.getOrCreate("machine_id", () => randomUUID());
  let secret = deps.secret;

  const metadata = () => ({
    host: hostname(),
    platform: process.platform,
    remcliCliVersion: VERSION,
    homeDir: homedir(),
    remcliHomeDir: paths.home,
    // remcli extension: which agents the app may offer (docs/protocol-extensions.md).
    agents: deps.agents(),
  });

  const cipher = () => createNativeCipher(secret, store.machines.get(id)?.dataEncryptionKey ?? null);

  /** Writes `value` with the version it currently has; the daemon is the only writer of its state. */
  const writeDaemonState = (state: MachineDaemonState) => {
    const current = store.machines.get(id);
    if (!current) return;
    server.writes.updateDaemonState(id, cipher().encrypt(state), current.daemonStateVersion);
  };

  return {
    id,
    cipher,
    /** Creates the machine on first start; afterwards refreshes its metadata and state. */
    announce(state: MachineDaemonState) {
      const existing = store.machines.get(id);
      if (!existing) {
        const key = newDataEncryptionKey(secret);
        const keyed = createNativeCipher(secret, key.wrapped);
        server.writes.createMachine({
          id,
          metadata: keyed.encrypt(metadata()),
          daemonState: keyed.encrypt(state),
          dataEncryptionKey: key.wrapped,
        });
        return;
      }
      server.writes.updateMachineMetadata(id, cipher().encrypt(metadata()), existing.metadataVersion);
      writeDaemonState(state);
      server.writes.setMachineActive(id, true, Date.now());
    },
    /** The daemon stops: its final state, then offline, so the phone does not show it online. */
    goOffline(state: MachineDaemonState) {
      writeDaemonState(state);
      server.writes.setMachineActive(id, false, Date.now());
    },
    writeDaemonState,
    /** The metadata again, e.g. after an agent was installed. */
    refreshMetadata() {
      const current = store.machines.get(id);
      if (current) server.writes.updateMachineMetadata(id, cipher().encrypt(metadata()), current.metadataVersion);
    },
    /** The shared secret the machine's and the sessions' keys are wrapped for. */
    secret: () => secret,
    /** After `qr --rotate`: its data key was re-wrapped for `next` (rewrap-keys.ts). */
    useSecret(next: Uint8Array) {
      secret = next;
    },
  };
}

export type Machine = ReturnType<typeof createMachine>;
