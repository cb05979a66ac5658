import type { Update, UpdateBody } from "../protocol/updates.ts";
import type { VersionedWrite } from "../store/versioned-column.ts";
import type { Store } from "../store/store.ts";
import type { IoSocket } from "./socket/io.ts";
import type { Publisher, Target } from "./socket/routing.ts";
import { updateBodies } from "./updates.ts";

type Versioned<T> = VersionedWrite<T>;

/**
 * Every write that other clients must hear about: committed together with its
 * update's seq in one transaction, then published. REST routes and socket handlers
 * share these, so both paths number and route updates the same way.
 */
export function createWrites(store: Store, publisher: Publisher) {
  /** Commits `write` together with the update it announces, then publishes that update. */
  const commit = <R>(write: () => { result: R; updates: Update[] }, target: (result: R) => Target, from?: IoSocket): R => {
    const { result, updates } = store.transaction(write);
    for (const update of updates) publisher.send(update, target(result), from);
    return result;
  };

  /** Optimistic concurrency: a stale expected version answers with the current value, unchanged. */
  const versioned = <T>(
    write: () => Versioned<T>,
    announce: (written: { value: T; version: number }) => UpdateBody,
    target: Target,
    from?: IoSocket,
  ): Versioned<T> =>
    commit<Versioned<T>>(
      () => {
        const written = write();
        if (written.result !== "success") return { result: written, updates: [] };
        const { value, version } = written;
        return { result: written, updates: [publisher.prepare(announce({ value, version }))] };
      },
      () => target,
      from,
    );

  return {
    createSession(input: Parameters<Store["sessions"]["getOrCreate"]>[0]) {
      return commit(
        () => {
          const made = store.sessions.getOrCreate(input);
          return { result: made, updates: made.created ? [publisher.prepare(updateBodies.newSession(made.session))] : [] };
        },
        (made) => ({ session: made.session.id }),
      );
    },

    deleteSession(id: string): boolean {
      return commit(
        () => {
          const removed = store.sessions.remove(id);
          // Its RPCs can reach no handler any more: their replay digests go with it.
          if (removed) store.rpcSeen.forgetScope(id);
          return { result: removed, updates: removed ? [publisher.prepare(updateBodies.deleteSession(id))] : [] };
        },
        () => ({ session: id }),
      );
    },

    updateSessionMetadata: (sid: string, metadata: string, expectedVersion: number, from?: IoSocket) =>
      versioned(
        () => store.sessions.updateMetadata(sid, metadata, expectedVersion),
        (w) => updateBodies.updateSession(sid, { metadata: w }),
        { session: sid },
        from,
      ),

    updateAgentState: (sid: string, agentState: string | null, expectedVersion: number, from?: IoSocket) =>
      versioned(
        () => store.sessions.updateAgentState(sid, agentState, expectedVersion),
        (w) => updateBodies.updateSession(sid, { agentState: w }),
        { session: sid },
        from,
      ),

    /**
     * Get-or-create. A new machine is announced twice: `new-machine` for clients that
     * know it, and `update-machine`, which is how the reference app learns machines.
     */
    createMachine(input: Parameters<Store["machines"]["getOrCreate"]>[0]) {
      return commit(
        () => {
          const made = store.machines.getOrCreate(input);
          if (!made.created) return { result: made, updates: [] };
          const m = made.machine;
          const announced = updateBodies.updateMachine(m.id, {
            metadata: { value: m.metadata, version: m.metadataVersion },
            daemonState: { value: m.daemonState, version: m.daemonStateVersion },
            active: m.active,
            activeAt: m.activeAt,
          });
          return {
            result: made,
            updates: [publisher.prepare(updateBodies.newMachine(m)), publisher.prepare(announced)],
          };
        },
        (made) => ({ machine: made.machine.id }),
      );
    },

    updateMachineMetadata: (id: string, metadata: string, expectedVersion: number, from?: IoSocket) =>
      versioned(
        () => store.machines.updateMetadata(id, metadata, expectedVersion),
        (w) => updateBodies.updateMachine(id, { metadata: w }),
        { machine: id },
        from,
      ),

    /**
     * The daemon going online or offline. The app takes an `update-machine` without
     * `active` as "online", so going offline has to say `active: false` itself.
     */
    setMachineActive(id: string, active: boolean, at: number): boolean {
      return commit(
        () => {
          const known = store.machines.setActive(id, active, at);
          return { result: known, updates: known ? [publisher.prepare(updateBodies.updateMachine(id, { active, activeAt: at }))] : [] };
        },
        () => ({ machine: id }),
      );
    },

    updateDaemonState: (id: string, daemonState: string, expectedVersion: number, from?: IoSocket) =>
      versioned(
        () => store.machines.updateDaemonState(id, daemonState, expectedVersion),
        (w) => updateBodies.updateMachine(id, { daemonState: w }),
        { machine: id },
        from,
      ),
  };
}

export type Writes = ReturnType<typeof createWrites>;
