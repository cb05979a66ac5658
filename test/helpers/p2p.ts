import { readFileSync } from "node:fs";
import { join } from "node:path";
import { io, type Socket } from "socket.io-client";
import { ownerProof } from "../../src/crypto/owner-proof.ts";
import { p2pAuthToken } from "../../src/crypto/p2p-token.ts";
import { createCipher, newDataEncryptionKey } from "../../src/crypto/session-cipher.ts";
import { createSandbox, statusJson, type Sandbox } from "./sandbox.ts";

export type Daemon = {
  box: Sandbox;
  base: string;
  port: number;
  token: string;
  secret: Uint8Array;
  pid: number;
  /** fetch against the P2P port with the bearer token. */
  api(path: string, init?: RequestInit & { json?: unknown }): Promise<{ status: number; body: any }>;
  /** A Socket.IO client, connected (or rejected) before this resolves; closed with the sandbox. */
  connect(auth?: Record<string, unknown>): Promise<Socket>;
  /** A session- or machine-scoped client with the owner proof a local remcli process shows. */
  connectOwner(kind: "session" | "machine", id: string): Promise<Socket>;
  /** Restarts the daemon in the same home (same port and secret). */
  restart(): Promise<void>;
  /** Reads the secret file again (after `qr --rotate`): token, secret and new clients use it. */
  rereadSecret(): void;
  [Symbol.asyncDispose](): Promise<void>;
};

/** A daemon on loopback in a temp home, with clients that clean up after themselves. */
export async function startDaemon(env: Record<string, string> = {}, options: { binary?: string } = {}): Promise<Daemon> {
  const box = createSandbox(env, options);
  const sockets: Socket[] = [];
  const state = { port: 0, pid: 0, token: "", secret: new Uint8Array() };

  const start = async () => {
    const started = await box.cli(["daemon", "start", "--host", "127.0.0.1", "--no-qr"]);
    if (started.code !== 0) throw new Error(`daemon did not start: ${started.stderr}${started.stdout}`);
    const status = statusJson(await box.cli(["daemon", "status", "--json"]));
    state.port = Number(status.p2pPort);
    state.pid = status.pid;
    rereadSecret();
  };
  const rereadSecret = () => {
    state.secret = new Uint8Array(readFileSync(join(box.home, "p2p.secret")));
    state.token = p2pAuthToken(state.secret);
  };
  await start();

  const daemon: Daemon = {
    box,
    get base() {
      return `http://127.0.0.1:${state.port}`;
    },
    get port() {
      return state.port;
    },
    get token() {
      return state.token;
    },
    get secret() {
      return state.secret;
    },
    get pid() {
      return state.pid;
    },
    async api(path, init = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has("authorization")) headers.set("authorization", `Bearer ${state.token}`);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set("content-type", "application/json");
        body = JSON.stringify(init.json);
      }
      const response = await fetch(`${daemon.base}${path}`, { ...init, headers, body });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON: keep the text.
      }
      return { status: response.status, body: parsed };
    },
    connect(auth = {}) {
      const socket = io(daemon.base, {
        path: "/v1/updates",
        transports: ["websocket"],
        auth: { token: state.token, ...auth },
        reconnectionDelay: 50,
        reconnectionDelayMax: 200,
      });
      sockets.push(socket);
      return new Promise((resolve, reject) => {
        const refused = (error: Error) => {
          socket.off("connect", connected);
          socket.close();
          reject(error);
        };
        // Only the first outcome counts: later reconnect failures must not close the socket.
        const connected = () => {
          socket.off("connect_error", refused);
          resolve(socket);
        };
        socket.once("connect", connected);
        socket.once("connect_error", refused);
      });
    },
    connectOwner(kind, id) {
      const proof = ownerProof(new Uint8Array(readFileSync(join(box.home, "control.key"))), { kind, id });
      return daemon.connect(kind === "session" ? { clientType: "session-scoped", sessionId: id, proof } : { clientType: "machine-scoped", machineId: id, proof });
    },
    async restart() {
      await start();
    },
    rereadSecret,
    async [Symbol.asyncDispose]() {
      for (const socket of sockets) socket.close();
      await box[Symbol.asyncDispose]();
    },
  };
  return daemon;
}

/** Collects every event `name` a socket receives. */
export function collect<T = any>(socket: Socket, name: string): T[] {
  const seen: T[] = [];
  socket.on(name, (payload: T) => seen.push(payload));
  return seen;
}

/** Creates a session over REST and returns it. */
export async function createSession(daemon: Daemon, tag = `tag-${crypto.randomUUID()}`) {
  const created = await daemon.api("/v1/sessions", { method: "POST", json: { tag, metadata: "bWV0YQ==" } });
  if (created.status !== 200) throw new Error(`session not created: ${JSON.stringify(created.body)}`);
  return created.body.session as { id: string; tag: string; metadataVersion: number; agentStateVersion: number };
}

/** A session with a data key of its own, as a session process makes it, and its cipher. */
export async function keyedSession(daemon: Daemon) {
  const key = newDataEncryptionKey(daemon.secret);
  const cipher = createCipher(daemon.secret, key.wrapped);
  const created = await daemon.api("/v1/sessions", {
    method: "POST",
    json: { tag: `tag-${crypto.randomUUID()}`, metadata: cipher.encrypt({ path: "/tmp" }), dataEncryptionKey: key.wrapped },
  });
  if (created.status !== 200) throw new Error(`session not created: ${JSON.stringify(created.body)}`);
  return { id: created.body.session.id as string, cipher };
}

/** Registers `method` on `socket` and returns how the daemon answered. */
export function register(socket: Socket, method: string) {
  const answer = new Promise<{ event: string; payload: any }>((resolve) => {
    socket.once("rpc-registered", (payload) => resolve({ event: "rpc-registered", payload }));
    socket.once("rpc-error", (payload) => resolve({ event: "rpc-error", payload }));
  });
  socket.emit("rpc-register", { method });
  return answer;
}
