import { hostname, homedir, platform } from "node:os";
import { io } from "socket.io-client";
import { z } from "zod";
import { p2pAuthToken } from "../crypto/p2p-token.ts";
import { ciphertextDigest, createNativeCipher } from "../crypto/native.ts";
import { ownerProof } from "../crypto/owner-proof.ts";
import { newDataEncryptionKey, type Cipher } from "../crypto/session-cipher.ts";
import type { ClientSocket } from "../protocol/events.ts";
import { MessagesPage } from "../protocol/paging.ts";
import { Session, Update, type StoredMessage } from "../protocol/updates.ts";
import { VERSION } from "../shared/version.ts";
import { AgentState, PhoneMessage } from "./agent-state.ts";
import type { DaemonAddress } from "./daemon-address.ts";
import { createOutbox } from "./outbox.ts";
import { createSeqTracker } from "./seq-tracker.ts";
import { createSessionRpc } from "./session-rpc.ts";
import { createVersionedValue } from "./versioned-value.ts";

export type StartedBy = "daemon" | "terminal";
const Metadata = z.record(z.string(), z.unknown());
const CreatedSession = z.object({ session: Session });
const PAGE = 500;
/** Digests of the prompts this session fed its agent, newest kept. */
const MAX_REMEMBERED_PROMPTS = 10_000;

/** A set that forgets its oldest entries past `max`; add() is false for one it holds. */
function createRecentSet(max: number) {
  const entries = new Set<string>();
  return {
    add(entry: string): boolean {
      if (entries.has(entry)) return false;
      if (entries.size >= max) entries.delete(entries.values().next().value!);
      entries.add(entry);
      return true;
    },
  };
}

export type UsageReport = {
  key: string;
  tokens: { total: number; input: number; output: number; cache_creation: number; cache_read: number };
  cost: { total: number; input: number; output: number };
};

/**
 * A session process's link to the daemon's P2P server, as a client like any other:
 * it creates its session (encrypted metadata, a fresh data key), connects
 * session-scoped, sends its messages through an acknowledged outbox, serves the
 * session RPCs, and hears the phone's messages — catching up by seq after every
 * reconnect, never by replay.
 */
export async function openSessionLink(input: {
  daemon: DaemonAddress;
  startedBy: StartedBy;
  directory: string;
  controlledByUser: boolean;
  onUserMessage: (message: PhoneMessage) => void;
}) {
  const { daemon } = input;
  const token = p2pAuthToken(daemon.secret);
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const key = newDataEncryptionKey(daemon.secret);
  const cipher: Cipher = createNativeCipher(daemon.secret, key.wrapped);
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
  const initialState: AgentState = { controlledByUser: input.controlledByUser, requests: {}, completedRequests: {} };
  const created = await fetch(`${daemon.base}/v1/sessions`, {
    method: "POST",
    headers,
    body: JSON.stringify({
      tag: crypto.randomUUID(),
      metadata: cipher.encrypt(metadata),
      agentState: cipher.encrypt(initialState),
      dataEncryptionKey: key.wrapped,
    }),
  });
  if (!created.ok) throw new Error(`the daemon refused the new session: HTTP ${created.status} ${await created.text()}`);
  const { session } = CreatedSession.parse(await created.json());
  const sid = session.id;

  const seqs = createSeqTracker();
  const fed = createRecentSet(MAX_REMEMBERED_PROMPTS);
  const receive = (message: StoredMessage) => {
    if (!seqs.take(message.seq)) return;
    const plain = PhoneMessage.safeParse(cipher.decrypt(message.content.c));
    // A prompt typed in our own terminal (sentFrom "cli") is ours, even when catch-up
    // returns it because its ack was lost: never feed it back to the agent.
    if (!plain.success || plain.data.meta?.sentFrom === "cli") return;
    // The daemon stores a phone's ciphertext once per session; should one get through
    // twice all the same (an older daemon), the agent still runs it once.
    if (!fed.add(Buffer.from(ciphertextDigest(message.content.c)).toString("hex"))) return;
    input.onUserMessage(plain.data);
  };
  const catchUp = async () => {
    for (;;) {
      const page = await fetch(`${daemon.base}/v1/sessions/${sid}/messages?after=${seqs.handledUpTo()}&limit=${PAGE}`, { headers });
      if (!page.ok) return;
      const { messages, hasMore } = MessagesPage.parse(await page.json());
      for (const message of messages.sort((a, b) => a.seq - b.seq)) receive(message);
      // Pages are bounded in bytes too: a short page may not be the last (docs/protocol-extensions.md).
      if (!hasMore || messages.length === 0) return;
    }
  };

  const socket: ClientSocket = io(daemon.base, {
    path: "/v1/updates",
    transports: ["websocket"],
    // The owner proof lets this connection, and only it, serve the session's RPCs.
    auth: { token, clientType: "session-scoped", sessionId: sid, proof: ownerProof(daemon.controlKey, { kind: "session", id: sid }) },
    reconnectionDelay: 100,
    reconnectionDelayMax: 1_000,
  });
  // Our own messages are handled too: catch-up must not take them for the phone's.
  const outbox = createOutbox(socket, sid, (seq) => seqs.take(seq));
  const rpc = createSessionRpc(socket, sid, cipher);
  const agentState = createVersionedValue({
    socket, sid, cipher, event: "update-state", field: "agentState",
    initial: initialState, initialVersion: session.agentStateVersion, parse: (v) => AgentState.catch(initialState).parse(v),
  });
  const sessionMetadata = createVersionedValue<Record<string, unknown>>({
    socket, sid, cipher, event: "update-metadata", field: "metadata",
    initial: metadata, initialVersion: session.metadataVersion, parse: (v) => Metadata.catch(metadata).parse(v),
  });
  socket.on("update", (raw: unknown) => {
    const update = Update.safeParse(raw);
    if (update.success && update.data.body.t === "new-message" && update.data.body.sid === sid) receive(update.data.body.message);
  });
  const reconnected: Array<() => void> = [];
  let connects = 0;
  socket.on("connect", () => {
    void catchUp().catch(() => {});
    if (connects++ > 0) for (const listener of reconnected) listener();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (error) => reject(new Error(`could not connect to the daemon: ${error.message}`)));
  });

  return {
    sessionId: sid,
    cipher,
    rpc,
    agentState,
    metadata: sessionMetadata,
    /** Encrypts and queues one message of this session (PROTOCOL.md §7 plaintext shapes). */
    send: (plaintext: unknown) => outbox.send(cipher.encrypt(plaintext)),
    pendingMessages: () => outbox.pending(),
    alive: (thinking: boolean, mode: "local" | "remote") =>
      socket.emit("session-alive", { sid, time: Date.now(), thinking, mode }),
    usage: (report: UsageReport) => socket.emit("usage-report", { ...report, sessionId: sid }),
    /** Called after each reconnect (e.g. a restarted daemon), not on the first connect. */
    onReconnect: (listener: () => void) => reconnected.push(listener),
    /** session-end, then waits (bounded) for queued messages before closing. */
    async close() {
      // With no daemon to talk to, waiting only delays the exit (doctor kills after 1 s).
      if (socket.connected) {
        await outbox.flush(3_000);
        socket.emit("session-end", { sid, time: Date.now() });
        await socket.timeout(1_000).emitWithAck("ping").catch(() => {});
      }
      socket.close();
    },
  };
}

export type SessionLink = Awaited<ReturnType<typeof openSessionLink>>;
