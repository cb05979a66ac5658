import type { Socket } from "socket.io-client";
import { createCipher, newDataEncryptionKey, type Cipher } from "../../src/crypto/session-cipher.ts";
import type { Daemon } from "../helpers/p2p.ts";

type PendingRequest = { tool: string; arguments: unknown; createdAt: number };

/**
 * The agent side of a session, played by the test over the real protocol: it creates
 * its session like a session process does (encrypted metadata, its own data key),
 * writes agent messages and agent state, serves the session RPCs the phone calls, and
 * hears the phone's messages. Independent of the real agent runner.
 */
export async function fakeAgentSession(daemon: Daemon, options: { path: string; name?: string; metadata?: Record<string, unknown> }) {
  const key = newDataEncryptionKey(daemon.secret);
  const cipher: Cipher = createCipher(daemon.secret, key.wrapped);
  const [machine] = (await daemon.api("/v1/machines")).body as Array<{ id: string }>;
  let state = { controlledByUser: false, requests: {} as Record<string, PendingRequest>, completedRequests: {} as Record<string, unknown> };
  const created = await daemon.api("/v1/sessions", {
    method: "POST",
    json: {
      tag: `fake-${crypto.randomUUID()}`,
      metadata: cipher.encrypt({
        path: options.path,
        homeDir: "/home/me",
        host: "test-host",
        version: "test",
        os: "linux",
        machineId: machine?.id ?? "",
        flavor: "claude",
        startedBy: "terminal",
        ...(options.name ? { name: options.name } : {}),
        ...options.metadata,
      }),
      agentState: cipher.encrypt(state),
      dataEncryptionKey: key.wrapped,
    },
  });
  if (created.status !== 200) throw new Error(`fake session not created: ${JSON.stringify(created.body)}`);
  const sid = created.body.session.id as string;
  let stateVersion = created.body.session.agentStateVersion as number;

  const socket: Socket = await daemon.connectOwner("session", sid);
  const heard: unknown[] = [];
  const calls: Array<{ method: string; params: any }> = [];
  const onUser: Array<(text: string) => void> = [];
  const answers: Record<string, (params: any) => unknown> = {
    permission: (params) => {
      const request = state.requests[params.id];
      if (request) {
        const { [params.id]: _answered, ...rest } = state.requests;
        state = {
          ...state,
          requests: rest,
          completedRequests: {
            ...state.completedRequests,
            [params.id]: { ...request, completedAt: Date.now(), status: params.approved ? "approved" : "denied", reason: params.reason, decision: params.decision },
          },
        };
        void writeState();
      }
      return { ok: true };
    },
    abort: () => ({ ok: true }),
    switch: () => true,
  };
  const register = () => {
    for (const name of Object.keys(answers)) socket.emit("rpc-register", { method: `${sid}:${name}` });
  };
  socket.on("connect", register);
  register();
  socket.on("rpc-request", (raw: { method: string; params: string }, ack: (answer: string) => void) => {
    const name = raw.method.slice(sid.length + 1);
    const params = cipher.decrypt(raw.params);
    calls.push({ method: name, params });
    ack(cipher.encrypt(answers[name]?.(params) ?? { error: "unknown method" }));
  });
  socket.on("update", (update: { body: { t: string; sid?: string; message?: { content: { c: string } } } }) => {
    if (update.body.t !== "new-message" || update.body.sid !== sid) return;
    const plain = cipher.decrypt(update.body.message!.content.c) as { role: string; content: { text?: string } };
    heard.push(plain);
    if (plain.role === "user" && plain.content.text) for (const listener of onUser) listener(plain.content.text);
  });

  const writeState = async () => {
    const ack = await socket.timeout(5_000).emitWithAck("update-state", { sid, agentState: cipher.encrypt(state), expectedVersion: stateVersion });
    stateVersion = ack.version;
    if (ack.result !== "success") throw new Error(`agent state write lost a race: ${JSON.stringify(ack)}`);
  };

  let uuid = 0;
  return {
    sid,
    cipher,
    socket,
    /** The phone's messages as this agent decrypted them. */
    heard,
    /** Every session RPC the phone made, decrypted. */
    calls,
    onUserText: (listener: (text: string) => void) => onUser.push(listener),
    /** Writes one agent message (PROTOCOL.md §7 `output` shape) and waits for its commit. */
    async output(data: Record<string, unknown>) {
      const ack = await socket.timeout(5_000).emitWithAck("message", {
        sid,
        message: cipher.encrypt({ role: "agent", content: { type: "output", data: { uuid: `u-${++uuid}`, ...data } }, meta: { sentFrom: "cli" } }),
        localId: `agent-${crypto.randomUUID()}`,
      });
      if (!ack.ok) throw new Error(`agent message refused: ${ack.error}`);
      return ack.seq as number;
    },
    say(text: string) {
      return this.output({ type: "assistant", message: { role: "assistant", model: "fake", content: [{ type: "text", text }] } });
    },
    async ask(id: string, tool: string, args: unknown) {
      state = { ...state, requests: { ...state.requests, [id]: { tool, arguments: args, createdAt: Date.now() } } };
      await writeState();
    },
    alive(thinking: boolean) {
      socket.emit("session-alive", { sid, time: Date.now(), thinking, mode: "remote" });
    },
    pendingRequests: () => Object.keys(state.requests),
  };
}

export type FakeAgent = Awaited<ReturnType<typeof fakeAgentSession>>;
