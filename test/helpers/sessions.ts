import { Database } from "bun:sqlite";
import { join } from "node:path";
import type { Socket } from "socket.io-client";
import { createCipher } from "../../src/crypto/session-cipher.ts";
import { createControlClient } from "../../src/daemon/control/client.ts";
import { readSecret } from "../../src/shared/secret-file.ts";
import type { Daemon } from "./p2p.ts";
import type { Sandbox } from "./sandbox.ts";

export type ChildRecord = {
  id: number;
  pid: number;
  kind: string;
  sessionId: string | null;
  startedBy: string;
  daemonPid: number | null;
  endedAt: string | null;
  endReason: string | null;
};

/** The children table as the database holds it, oldest first. */
export function childRows(box: Sandbox): ChildRecord[] {
  const db = new Database(join(box.home, "remcli.db"), { readonly: true });
  try {
    return db
      .query(
        `SELECT id, pid, kind, session_id AS sessionId, started_by AS startedBy, daemon_pid AS daemonPid,
                ended_at AS endedAt, end_reason AS endReason FROM children ORDER BY id`,
      )
      .all() as ChildRecord[];
  } finally {
    db.close();
  }
}

/** The signed control client a CLI command would use, for the daemon's current port. */
export function controlOf(daemon: Daemon) {
  const db = new Database(join(daemon.box.home, "remcli.db"), { readonly: true });
  const { control_port: port } = db.query("SELECT control_port FROM daemon WHERE id = 1").get() as { control_port: number };
  db.close();
  return createControlClient({ port, key: readSecret(join(daemon.box.home, "control.key"))! });
}

/** Calls one of the machine's RPCs as the phone does: params and result encrypted with the machine key. */
export async function machineRpc(daemon: Daemon, phone: Socket, name: string, params: unknown): Promise<any> {
  const [machine] = (await daemon.api("/v1/machines")).body as Array<{ id: string; dataEncryptionKey: string }>;
  const cipher = createCipher(daemon.secret, machine!.dataEncryptionKey);
  const answer = await phone.timeout(20_000).emitWithAck("rpc-call", { method: `${machine!.id}:${name}`, params: cipher.encrypt(params) });
  if (!answer.ok) throw new Error(`rpc ${name} failed: ${answer.error}`);
  return cipher.decrypt(answer.result);
}
