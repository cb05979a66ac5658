import { io } from "socket.io-client";
import type { ImageAttachment, PermissionMode, UserMessage } from "../../protocol/plaintext.ts";
import { RpcCallAck, type ClientSocket } from "../../protocol/events.ts";
import { Ephemeral, Update, type UpdateBody } from "../../protocol/updates.ts";
import { endpointsOf, type Pairing } from "../pairing/pairings.ts";
import { createDialer } from "./dialer.ts";
import { createConversation, type Conversation } from "./conversation.ts";
import { createKeyring } from "./keyring.ts";
import { createObservable } from "./observable.ts";
import { createOutbox, type Sealed } from "./outbox.ts";
import { createRestClient, RestError } from "./rest.ts";
import { dropFromSnapshot, loadSnapshot, saveSnapshot } from "./snapshot.ts";
import { writeSessionMetadata } from "./session-metadata.ts";
import { chatMessage, machineView, sessionView, type ChatMessage, type MachineView, type SessionView } from "./views.ts";

export type LinkStatus =
  | { kind: "connecting" }
  | { kind: "online" }
  /** Lost or never reached; socket.io keeps retrying by itself. */
  | { kind: "offline"; since: number; reason: string }
  /** The daemon refuses this pairing's token: its secret was rotated. */
  | { kind: "rotated" }
  /** The daemon serves its own page at another address; browsers keep pairings per address. */
  | { kind: "elsewhere" };

const RPC_TIMEOUT_MS = 35_000;
const CONNECT_WAIT_MS = 5_000;
/** The WebSocket handshake after a probe answered; past it the next dial tries every address again. */
const HANDSHAKE_MS = 5_000;

/**
 * This phone's live connection to one paired daemon: its machines and sessions, the
 * conversations opened so far, and the outbox. After every (re)connect it re-reads
 * machines and sessions and catches every open conversation up by seq, so nothing
 * stays stuck waiting for the next message.
 */
export function createLink(pairing: Pairing) {
  const observable = createObservable();
  const keys = createKeyring(pairing.key);
  const endpoints = endpointsOf(pairing);
  // Until a probe says otherwise: the address this page came from, which just answered.
  let endpoint = endpoints.find((candidate) => new URL(candidate).origin === location.origin) ?? pairing.endpoint;
  let rest = createRestClient(endpoint, keys.token);
  const machines = new Map<string, MachineView>();
  const sessions = new Map<string, SessionView>();
  const conversations = new Map<string, Conversation>();
  let status: LinkStatus = { kind: "connecting" };
  let socket: ClientSocket | null = null;
  let refreshed = false;
  // Until the daemon answers, what it said last time (shown under the offline banner).
  const snapshot = loadSnapshot(pairing.id);
  for (const wire of snapshot?.machines ?? []) machines.set(wire.id, machineView(wire, keys.cipher(wire.dataEncryptionKey)));
  for (const wire of snapshot?.sessions ?? []) sessions.set(wire.id, sessionView(wire, keys.cipher(wire.dataEncryptionKey)));

  const setStatus = (next: LinkStatus) => {
    status = next;
    observable.changed();
  };
  const goOffline = (reason: string) => {
    if (status.kind === "rotated") return;
    setStatus({ kind: "offline", since: status.kind === "offline" ? status.since : Date.now(), reason });
  };
  const sessionCipher = (sid: string) => keys.cipher(sessions.get(sid)?.wire.dataEncryptionKey ?? null);

  /** A message for a session, encrypted, or why it cannot be (yet, or ever). */
  const seal = (sid: string, plaintext: UserMessage): Sealed => {
    const session = sessions.get(sid);
    if (!session) return refreshed ? { kind: "fail", reason: "this session is no longer on the computer" } : { kind: "wait" };
    // Its metadata did not decrypt: its key belongs to another secret (before a rotation), and its agent could not read us either.
    if (!session.metadata) return { kind: "fail", reason: "this phone cannot read this session: it was encrypted with another pairing key" };
    try {
      return { kind: "sealed", message: sessionCipher(sid).encrypt(plaintext) };
    } catch (error) {
      return { kind: "fail", reason: error instanceof Error ? error.message : String(error) };
    }
  };

  const outbox = createOutbox({
    pairingId: pairing.id,
    socket: () => socket,
    seal: (sid, plaintext) => seal(sid, plaintext),
    delivered: (entry, ack) =>
      conversations.get(entry.sid)?.acknowledged({
        id: ack.id,
        seq: ack.seq,
        localId: entry.localId,
        createdAt: entry.createdAt,
        plain: { role: "user", content: { type: "text", text: entry.text, ...(entry.images?.length ? { images: entry.images } : {}) }, meta: { sentFrom: "web" } },
      }),
    changed: observable.changed,
  });

  const refresh = async () => {
    try {
      const [machineList, sessionList] = await Promise.all([rest.machines(), rest.sessions()]);
      machines.clear();
      for (const wire of machineList) machines.set(wire.id, machineView(wire, keys.cipher(wire.dataEncryptionKey)));
      const seen = new Set<string>();
      for (const wire of sessionList) {
        seen.add(wire.id);
        sessions.set(wire.id, sessionView(wire, keys.cipher(wire.dataEncryptionKey), sessions.get(wire.id)));
      }
      for (const id of sessions.keys()) if (!seen.has(id) && !conversations.has(id)) sessions.delete(id);
      refreshed = true;
      saveSnapshot(pairing.id, { machines: machineList, sessions: sessionList });
      setStatus({ kind: "online" });
      // Open conversations catch up by seq; one that could not load before (offline, or its
      // session's key was not known yet) loads now.
      for (const [sid, conversation] of conversations) if (sessions.has(sid)) void conversation.open();
      outbox.pump();
    } catch (error) {
      if (error instanceof RestError && error.kind === "unauthorized") return rotated();
      goOffline(error instanceof Error ? error.message : String(error));
    }
  };

  const rotated = () => {
    setStatus({ kind: "rotated" });
    socket?.close();
  };

  const apply = (body: UpdateBody) => {
    switch (body.t) {
      case "new-message": {
        conversations.get(body.sid)?.receive(body.message);
        // The list sorts by last activity and shows the latest message: both moved.
        const session = sessions.get(body.sid);
        if (session && body.message.createdAt > session.wire.updatedAt) {
          sessions.set(body.sid, { ...session, wire: { ...session.wire, updatedAt: body.message.createdAt } });
        }
        return;
      }
      case "new-session": {
        const { t: _t, ...wire } = body;
        sessions.set(wire.id, sessionView(wire, keys.cipher(wire.dataEncryptionKey), sessions.get(wire.id)));
        return;
      }
      case "update-session": {
        const current = sessions.get(body.id);
        if (!current) return void refresh();
        const wire = { ...current.wire };
        // OCC versions only grow: an older value arriving late must not win.
        if (body.metadata && body.metadata.version >= wire.metadataVersion) {
          wire.metadata = body.metadata.value;
          wire.metadataVersion = body.metadata.version;
        }
        if (body.agentState && body.agentState.version >= wire.agentStateVersion) {
          wire.agentState = body.agentState.value;
          wire.agentStateVersion = body.agentState.version;
        }
        sessions.set(body.id, sessionView(wire, keys.cipher(wire.dataEncryptionKey), current));
        return;
      }
      case "delete-session":
        sessions.delete(body.sid);
        dropFromSnapshot(pairing.id, body.sid);
        // Its queued messages can never go now: the outbox says so on each.
        outbox.pump();
        return;
      case "new-machine": {
        const { t: _t, machineId, ...rest } = body;
        const wire = { ...rest, id: machineId };
        machines.set(machineId, machineView(wire, keys.cipher(wire.dataEncryptionKey)));
        return;
      }
      case "update-machine": {
        const current = machines.get(body.machineId);
        if (!current) return void refresh();
        const wire = { ...current.wire };
        if (body.metadata) Object.assign(wire, { metadata: body.metadata.value, metadataVersion: body.metadata.version });
        if (body.daemonState) Object.assign(wire, { daemonState: body.daemonState.value, daemonStateVersion: body.daemonState.version });
        if (body.active !== undefined) wire.active = body.active;
        if (body.activeAt !== undefined) wire.activeAt = body.activeAt;
        machines.set(wire.id, machineView(wire, keys.cipher(wire.dataEncryptionKey)));
      }
    }
  };

  const applyEphemeral = (event: Ephemeral) => {
    if (event.type === "activity") {
      const session = sessions.get(event.id);
      if (!session) return;
      const thinking = event.active && event.thinking;
      const thinkingSince = thinking ? (session.thinkingSince ?? Date.now()) : null;
      sessions.set(event.id, { ...session, active: event.active, activeAt: event.activeAt, thinking, thinkingSince });
    } else if (event.type === "usage") {
      const session = sessions.get(event.id);
      if (session) sessions.set(event.id, { ...session, usage: { tokens: event.tokens.total, cost: event.cost.total, at: event.timestamp } });
    }
  };

  let stopped = false;
  const connectWaiters = new Set<() => void>();

  const use = (next: string) => {
    if (next === endpoint) return;
    endpoint = next;
    rest = createRestClient(next, keys.token);
  };

  const dialer = createDialer({
    pairingId: pairing.id,
    endpoints,
    mayDial: () => socket === null && status.kind !== "rotated",
    open(picked) {
      use(picked);
      openSocket(picked);
    },
    unreachable: goOffline,
  });

  const dropSocket = (current: ClientSocket) => {
    current.removeAllListeners();
    current.close();
    if (socket === current) socket = null;
  };

  const openSocket = (target: string) => {
    const current: ClientSocket = io(target, {
      path: "/v1/updates",
      transports: ["websocket"],
      auth: { token: keys.token, clientType: "user-scoped" },
      // This link redials itself, over every address: socket.io's own retry knows only one.
      reconnection: false,
      timeout: HANDSHAKE_MS,
    });
    socket = current;
    current.on("connect", () => {
      dialer.connected(target);
      for (const waiter of connectWaiters) waiter();
      void refresh();
    });
    current.on("connect_error", (error: Error) => {
      dropSocket(current);
      if (/authentication/i.test(error.message)) return rotated();
      goOffline(error.message);
      dialer.schedule();
    });
    current.on("disconnect", (reason: string) => {
      dropSocket(current);
      goOffline(reason);
      // A rotated secret drops everyone ("io server disconnect"): the next handshake tells
      // whether this pairing still works. Any other loss: this address or another.
      dialer.schedule();
    });
    current.on("update", (raw: unknown) => {
      const update = Update.safeParse(raw);
      if (!update.success) return;
      apply(update.data.body);
      observable.changed();
    });
    current.on("ephemeral", (raw: unknown) => {
      const event = Ephemeral.safeParse(raw);
      if (!event.success) return;
      applyEphemeral(event.data);
      observable.changed();
    });
  };

  const connect = () => {
    if (!endpoints.some((candidate) => new URL(candidate).origin === location.origin)) return setStatus({ kind: "elsewhere" });
    void dialer.dial();
  };

  /**
   * A sleeping phone or a network change: don't wait for the backoff, try now. A socket
   * that still looks connected may be dead without a word (the Wi-Fi it went over is gone,
   * and socket.io would notice only at its ping timeout, ~45 s): ask its address first.
   */
  const wake = async () => {
    if (stopped || status.kind === "rotated" || status.kind === "elsewhere") return;
    if (socket?.connected) {
      const current = socket;
      const alive = await dialer.stillAnswers(endpoint);
      if (alive || socket !== current || stopped) return;
      goOffline(`${endpoint} stopped answering`);
    }
    if (socket) dropSocket(socket);
    dialer.now();
  };

  const wakeNow = () => {
    if (document.visibilityState !== "hidden") void wake();
  };

  /** A call made while the socket is still connecting (a page just opened) waits for it a moment instead of failing. */
  const connectedSocket = async (): Promise<ClientSocket> => {
    if (socket?.connected) return socket;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        connectWaiters.delete(connected);
        reject(new Error("not connected to the daemon"));
      }, CONNECT_WAIT_MS);
      const connected = () => {
        clearTimeout(timer);
        connectWaiters.delete(connected);
        resolve();
      };
      connectWaiters.add(connected);
    });
    if (!socket?.connected) throw new Error("not connected to the daemon");
    return socket;
  };

  /** `whole`: the answer as it came, also one that carries an `error` (a command's exit code and output). */
  const call = async (method: string, cipherKey: string | null, params: unknown, whole = false): Promise<unknown> => {
    const live = await connectedSocket();
    const cipher = keys.cipher(cipherKey);
    // (remcli extension) When it was sent, by the daemon's clock: the daemon refuses old
    // params, so a call sniffed on the Wi-Fi cannot be replayed later (docs/protocol-extensions.md).
    const stamped = params && typeof params === "object" && !Array.isArray(params) ? { ...params, _sentAt: rest.daemonNow() } : params;
    const raw = await live.timeout(RPC_TIMEOUT_MS).emitWithAck("rpc-call", { method, params: cipher.encrypt(stamped) });
    const answer = RpcCallAck.safeParse(raw);
    if (!answer.success) throw new Error("the daemon gave an answer this app does not understand");
    if (!answer.data.ok) throw new Error(answer.data.error);
    const result = typeof answer.data.result === "string" ? cipher.decrypt(answer.data.result) : null;
    if (!whole && result && typeof result === "object" && "error" in result && typeof result.error === "string") throw new Error(result.error);
    return result;
  };

  return {
    pairing,
    subscribe: observable.subscribe,
    get version() {
      return observable.version;
    },
    get status() {
      return status;
    },
    /** The address in use (or being tried): one of the pairing's endpoints. */
    get endpoint() {
      return endpoint;
    },
    /** True once machines and sessions were read at least once. */
    get refreshed() {
      return refreshed;
    },
    /** Read from the daemon, or remembered from the last time it answered. */
    get known() {
      return refreshed || snapshot !== null;
    },
    /** Now, by the daemon's clock (stored messages carry its times). */
    daemonNow: () => rest.daemonNow(),
    machines: () => [...machines.values()],
    sessions: () => [...sessions.values()].sort((a, b) => b.activeAt - a.activeAt || b.wire.createdAt - a.wire.createdAt),
    session: (sid: string) => sessions.get(sid),
    conversation(sid: string): Conversation {
      let conversation = conversations.get(sid);
      if (!conversation) {
        conversation = createConversation({ sid, rest: () => rest, cipher: () => sessionCipher(sid), changed: observable.changed });
        conversations.set(sid, conversation);
      }
      return conversation;
    },
    pending: outbox.pendingFor,
    retry: outbox.retry,
    discard: outbox.discard,
    send: (sid: string, text: string, mode: PermissionMode | undefined, images: ImageAttachment[] = [], model?: string) =>
      outbox.enqueue(sid, text, mode, images, model),
    /** The latest messages of a session (newest last), decrypted; `after: 0` for its first ones. */
    messages: async (sid: string, page: { limit: number; after?: number }): Promise<ChatMessage[]> => {
      const answer = await rest.messages(sid, page);
      const cipher = sessionCipher(sid);
      return answer.messages.map((m) => chatMessage(m, cipher)).sort((a, b) => a.seq - b.seq);
    },
    /** Changes the session's metadata (name, archived), retried over the agent's own writes. */
    async updateMetadata(sid: string, change: (metadata: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
      const session = sessions.get(sid);
      if (!session) throw new Error("this session is no longer on the computer");
      const stored = await writeSessionMetadata({
        socket: await connectedSocket(),
        sid,
        cipher: sessionCipher(sid),
        current: { metadata: session.wire.metadata, version: session.wire.metadataVersion },
        change,
      });
      // The daemon does not send our own update back to us (PROTOCOL.md §3).
      const latest = sessions.get(sid) ?? session;
      if (latest.wire.metadataVersion >= stored.version) return;
      const wire = { ...latest.wire, metadata: stored.metadata, metadataVersion: stored.version };
      sessions.set(sid, sessionView(wire, sessionCipher(sid), latest));
      observable.changed();
    },
    /** Deletes the session and its messages on the computer (DELETE /v1/sessions/:id). */
    async deleteSession(sid: string): Promise<void> {
      await rest.deleteSession(sid);
      sessions.delete(sid);
      dropFromSnapshot(pairing.id, sid);
      observable.changed();
    },
    /** A session RPC (`<sid>:<name>`), params and result encrypted with the session's key. */
    sessionRpc: (sid: string, name: string, params: unknown, options: { whole?: boolean } = {}) =>
      call(`${sid}:${name}`, sessions.get(sid)?.wire.dataEncryptionKey ?? null, params, options.whole),
    machineRpc: (machineId: string, name: string, params: unknown) =>
      call(`${machineId}:${name}`, machines.get(machineId)?.wire.dataEncryptionKey ?? null, params),
    start(): void {
      connect();
      // Don't wait for the WebSocket handshake to show what the daemon has (the page's own
      // address just answered); the refresh on connect (always) closes any gap between this
      // read and the live updates.
      if (status.kind === "connecting" && new URL(endpoint).origin === location.origin) void refresh();
      addEventListener("online", wakeNow);
      document.addEventListener("visibilitychange", wakeNow);
    },
    stop(): void {
      removeEventListener("online", wakeNow);
      document.removeEventListener("visibilitychange", wakeNow);
      stopped = true;
      dialer.stop();
      if (socket) dropSocket(socket);
    },
  };
}

export type Link = ReturnType<typeof createLink>;
