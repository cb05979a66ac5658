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
/** Handshakes refused for the token retried (a second apart) before the session gives up on the daemon. */
const MAX_AUTH_RETRIES = 5;
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
  /** `metadata.flavor`: which agent the app shows (and a resume starts again). */
  flavor: string;
  /** Continue the session of this tag (a resume): its key, metadata and history stay. */
  resumeTag?: string;
  onUserMessage: (message: PhoneMessage) => void;
  /** The shared secret as the daemon's secret file holds it now (it changes with `qr --rotate`). */
  currentSecret?: () => Uint8Array | null;
}) {
  const { daemon } = input;
  let token = p2pAuthToken(daemon.secret);
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  /** After a rotation: the new token, for the socket and REST alike. False when it did not change. */
  const takeNewToken = (): boolean => {
    const secret = input.currentSecret?.();
    const next = secret ? p2pAuthToken(secret) : token;
    if (next === token) return false;
    token = next;
    headers.authorization = `Bearer ${token}`;
    return true;
  };
  const key = newDataEncryptionKey(daemon.secret);
  const fresh: Cipher = createNativeCipher(daemon.secret, key.wrapped);
  const ownMetadata = {
    path: input.directory,
    host: hostname(),
    homeDir: homedir(),
    version: VERSION,
    os: platform(),
    machineId: daemon.machineId ?? "",
    hostPid: process.pid,
    startedBy: input.startedBy,
    startedFromDaemon: input.startedBy === "daemon",
    flavor: input.flavor,
    lifecycleState: "running",
  };
  const ownState: AgentState = { controlledByUser: input.controlledByUser, requests: {}, completedRequests: {} };
  const created = await fetch(`${daemon.base}/v1/sessions`, {
    method: "POST",
    headers,
    body: JSON.stringify({
      // An existing tag returns that session unchanged: how a resume finds its own.
      tag: input.resumeTag ?? crypto.randomUUID(),
      metadata: fresh.encrypt(ownMetadata),
      agentState: fresh.encrypt(ownState),
      dataEncryptionKey: key.wrapped,
    }),
  });
  if (!created.ok) throw new Error(`the daemon refused the new session: HTTP ${created.status} ${await created.text()}`);
  const { session } = CreatedSession.parse(await created.json());
  const sid = session.id;
  const resumed = session.dataEncryptionKey !== key.wrapped ? await resumedSession(daemon.base, headers, sid) : null;
  const cipher = resumed ? createNativeCipher(daemon.secret, session.dataEncryptionKey) : fresh;
  const previous = resumed ? Metadata.catch({}).parse(cipher.decrypt(session.metadata)) : null;
  // A resumed session keeps its name, summary and conversation; the rest is this process's.
  const metadata: Record<string, unknown> = { ...previous, ...ownMetadata };
  const previousState = resumed && session.agentState ? AgentState.safeParse(cipher.decrypt(session.agentState)) : null;
  const initialState: AgentState = { ...ownState, completedRequests: previousState?.success ? previousState.data.completedRequests : {} };

  // What the session already holds was for the process before us, not for our agent.
  const seqs = createSeqTracker(resumed?.lastSeq ?? 0);
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
    // The owner proof lets this connection, and only it, serve the session's RPCs. A function:
    // read at every connect, so a rejoin after `qr --rotate` shows the new token.
    auth: (give) => give({ token, clientType: "session-scoped", sessionId: sid, proof: ownerProof(daemon.controlKey, { kind: "session", id: sid }) }),
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
  let closing = false;
  // `qr --rotate` drops every connection on purpose, which socket.io does not retry by itself:
  // rejoin with the new secret's token (the data key stays, re-wrapped by the daemon).
  socket.on("disconnect", (reason) => {
    if (reason !== "io server disconnect" || closing) return;
    takeNewToken();
    setTimeout(() => closing || socket.connect(), 100);
  });
  // A handshake refused for its token is not retried by socket.io either: retry with the new
  // secret, or a few times more while the file may be a moment ahead of the server (a
  // rotation in progress writes the file first).
  let refusals = 0;
  socket.on("connect", () => void (refusals = 0));
  socket.on("connect_error", (error) => {
    if (closing || !/authentication/i.test(error.message)) return;
    if (takeNewToken()) return void socket.connect();
    if (refusals++ < MAX_AUTH_RETRIES) setTimeout(() => closing || socket.connected || (takeNewToken(), socket.connect()), 1_000);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (error) => reject(new Error(`could not connect to the daemon: ${error.message}`)));
  });

  return {
    sessionId: sid,
    /** The metadata the session had before this process resumed it, else null. */
    previousMetadata: previous,
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
      closing = true;
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

/** A resumed session's newest message seq: where this process's reading starts. */
async function resumedSession(base: string, headers: Record<string, string>, sid: string): Promise<{ lastSeq: number }> {
  const newest = await fetch(`${base}/v1/sessions/${sid}/messages?limit=1`, { headers });
  if (!newest.ok) throw new Error(`could not read the session to resume: HTTP ${newest.status}`);
  const page = MessagesPage.parse(await newest.json());
  return { lastSeq: page.messages[0]?.seq ?? 0 };
}
