import { hostname, homedir, platform } from "node:os";
import { io, type Socket } from "socket.io-client";
import { p2pAuthToken } from "../crypto/p2p-token.ts";
import { createCipher, newDataEncryptionKey, type Cipher } from "../crypto/session-cipher.ts";
import { VERSION } from "../shared/version.ts";
import type { DaemonAddress } from "./daemon-address.ts";
import { createOutbox } from "./outbox.ts";

export type StartedBy = "daemon" | "terminal";
type StoredMessage = { seq: number; content: { c: string } };

/**
 * A session process's link to the daemon's P2P server, as a client like any other:
 * it creates its session (encrypted metadata, a fresh data key), connects
 * session-scoped, sends its messages through an acknowledged outbox, and hears the
 * phone's messages — catching up by seq after every reconnect, never by replay.
 */
export async function openSessionLink(input: {
  daemon: DaemonAddress;
  startedBy: StartedBy;
  directory: string;
  onUserMessage: (text: string) => void;
}) {
  const { daemon } = input;
  const token = p2pAuthToken(daemon.secret);
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const key = newDataEncryptionKey(daemon.secret);
  const cipher: Cipher = createCipher(daemon.secret, key.wrapped);
  const metadata = {
    path: input.directory,
    host: hostname(),
    homeDir: homedir(),
    version: VERSION,
    os: platform(),
    machineId: daemon.machineId ?? "",
    hostPid: process.pid,
    startedBy: input.startedBy,
    startedFromDaemon: input.startedBy === "daemon",
    flavor: "claude",
    lifecycleState: "running",
  };
  const created = await fetch(`${daemon.base}/v1/sessions`, {
    method: "POST",
    headers,
    body: JSON.stringify({
      tag: crypto.randomUUID(),
      metadata: cipher.encrypt(metadata),
      agentState: cipher.encrypt({ controlledByUser: input.startedBy === "terminal", requests: {}, completedRequests: {} }),
      dataEncryptionKey: key.wrapped,
    }),
  });
  if (!created.ok) throw new Error(`the daemon refused the new session: HTTP ${created.status} ${await created.text()}`);
  const { session } = (await created.json()) as { session: { id: string } };
  const sid = session.id;

  let lastSeq = 0;
  const seen = (seq: number) => {
    lastSeq = Math.max(lastSeq, seq);
  };
  const receive = (message: StoredMessage) => {
    if (message.seq <= lastSeq) return;
    seen(message.seq);
    const plain = cipher.decrypt(message.content.c) as { role?: string; content?: { type?: string; text?: string } } | null;
    if (plain?.role === "user" && plain.content?.type === "text" && typeof plain.content.text === "string") {
      input.onUserMessage(plain.content.text);
    }
  };
  const catchUp = async () => {
    for (;;) {
      const page = await fetch(`${daemon.base}/v1/sessions/${sid}/messages?after=${lastSeq}&limit=500`, { headers });
      if (!page.ok) return;
      const { messages } = (await page.json()) as { messages: StoredMessage[] };
      for (const message of messages) receive(message);
      if (messages.length < 500) return;
    }
  };

  const socket: Socket = io(daemon.base, {
    path: "/v1/updates",
    transports: ["websocket"],
    auth: { token, clientType: "session-scoped", sessionId: sid },
    reconnectionDelayMax: 2_000,
  });
  const outbox = createOutbox(socket, sid, seen);
  socket.on("update", (update: { body?: { t?: string; sid?: string; message?: StoredMessage } }) => {
    if (update.body?.t === "new-message" && update.body.sid === sid && update.body.message) receive(update.body.message);
  });
  socket.on("connect", () => void catchUp().catch(() => {}));
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (error) => reject(new Error(`could not connect to the daemon: ${error.message}`)));
  });

  return {
    sessionId: sid,
    /** Encrypts and queues one message of this session (PROTOCOL.md §7 plaintext shapes). */
    send: (plaintext: unknown) => outbox.send(cipher.encrypt(plaintext)),
    alive: (thinking: boolean) => socket.emit("session-alive", { sid, time: Date.now(), thinking }),
    /** session-end, then waits (bounded) for queued messages before closing. */
    async close() {
      await outbox.flush(2_000);
      if (socket.connected) await socket.timeout(1_000).emitWithAck("ping").catch(() => {});
      socket.emit("session-end", { sid, time: Date.now() });
      await socket.timeout(1_000).emitWithAck("ping").catch(() => {});
      socket.close();
    },
  };
}

export type SessionLink = Awaited<ReturnType<typeof openSessionLink>>;
