import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Socket } from "socket.io-client";
import { createNativeCipher } from "../../src/crypto/native.ts";
import type { Cipher } from "../../src/crypto/session-cipher.ts";
import type { Daemon } from "./p2p.ts";
import { machineRpc } from "./sessions.ts";
import { eventually } from "./sandbox.ts";

const FIXTURE = join(import.meta.dir, "..", "fixtures", "fake-claude.ts");

/** What the fake was given: its argv at each start, every answer to its `can_use_tool`. */
export type Received =
  | { type: "argv"; argv: string[]; runtimeFlags: string[] }
  | { type: "permission"; response: any }
  | { type: "asked"; tool: string; at: number }
  | { type: "signal"; signal: string }
  | { type: "prompt"; content: unknown }
  | { type: "model"; model: string | null }
  | { type: "initialized"; at: number };

export type FakeClaude = {
  path: string;
  projectsDir: string;
  env: Record<string, string>;
  received(): Received[];
  [Symbol.dispose](): void;
};

/** The fake `claude` as an executable (a shell wrapper around the Bun fixture) and its transcript folder. */
export function fakeClaude(): FakeClaude {
  const dir = mkdtempSync(join(tmpdir(), "remcli-fake-claude-"));
  const path = join(dir, "claude");
  writeFileSync(path, `#!/bin/sh\nexec "${process.execPath}" "${FIXTURE}" "$@"\n`);
  chmodSync(path, 0o755);
  const projectsDir = join(dir, "projects");
  mkdirSync(projectsDir);
  const log = join(dir, "received.jsonl");
  return {
    path,
    projectsDir,
    received: () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as Received) : []),
    env: { REMCLI_CLAUDE_PATH: path, REMCLI_CLAUDE_PROJECTS_DIR: projectsDir },
    [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export type Plain = { seq: number; localId: string | null; body: any };

/** The phone's view of one session: its key, its history decrypted, its agent state, its RPCs. */
export async function phoneSession(daemon: Daemon, phone: Socket, sessionId: string) {
  const session = await eventually("the session to be listed", async () => {
    const sessions = (await daemon.api("/v1/sessions")).body.sessions as Array<{ id: string; dataEncryptionKey: string }>;
    return sessions.find((s) => s.id === sessionId);
  });
  // Native AES-GCM: the same bytes as the phone page's pure-JS one (test/crypto checks
  // both), and a megabyte-sized answer (readFile) decrypts in milliseconds, not a second.
  const cipher: Cipher = createNativeCipher(daemon.secret, session.dataEncryptionKey);

  const history = async (): Promise<Plain[]> => {
    const page = await daemon.api(`/v1/sessions/${sessionId}/messages?after=0&limit=1000`);
    const messages = (page.body.messages ?? []) as Array<{ seq: number; localId: string | null; content: { c: string } }>;
    return messages
      .map((m) => ({ seq: m.seq, localId: m.localId, body: cipher.decrypt(m.content.c) as any }))
      .sort((a, b) => a.seq - b.seq);
  };
  const state = async () => {
    const sessions = (await daemon.api("/v1/sessions")).body.sessions as Array<{ id: string; agentState: string | null; agentStateVersion: number; metadata: string }>;
    const found = sessions.find((s) => s.id === sessionId)!;
    return {
      version: found.agentStateVersion,
      agentState: (found.agentState ? cipher.decrypt(found.agentState) : null) as any,
      metadata: cipher.decrypt(found.metadata) as any,
    };
  };

  return {
    cipher,
    history,
    state,
    /** Sends a phone message like the app does (with its meta), acked once stored. */
    async send(text: string, meta: Record<string, unknown> = {}) {
      const ack = await phone.timeout(10_000).emitWithAck("message", {
        sid: sessionId,
        message: cipher.encrypt({ role: "user", content: { type: "text", text }, meta: { sentFrom: "web", permissionMode: "default", ...meta } }),
        localId: `phone-${crypto.randomUUID()}`,
      });
      if (!ack.ok) throw new Error(`message refused: ${ack.error}`);
      return ack.seq as number;
    },
    async rpc(name: string, params: unknown) {
      const answer = await phone.timeout(15_000).emitWithAck("rpc-call", { method: `${sessionId}:${name}`, params: cipher.encrypt(params) });
      if (!answer.ok) throw new Error(`session rpc ${name} failed: ${answer.error}`);
      return cipher.decrypt(answer.result) as any;
    },
    /** Waits until the history holds a message matching `match` after seq `after`. */
    waitFor(what: string, match: (message: Plain) => boolean, after = 0, timeoutMs = 10_000) {
      return eventually(what, async () => (await history()).find((m) => m.seq > after && match(m)), timeoutMs);
    },
    /** Waits for an open permission request and returns its id. */
    async openRequest(tool: string) {
      return eventually(`a permission request for ${tool}`, async () => {
        const { agentState } = await state();
        const entry = Object.entries(agentState?.requests ?? {}).find(([, r]: [string, any]) => r.tool === tool);
        return entry?.[0];
      });
    },
  };
}

/** The `data` of an agent output record, or undefined. */
export const outputOf = (message: Plain) => (message.body?.role === "agent" && message.body.content?.type === "output" ? message.body.content.data : undefined);
/** The `data` of a session event, or undefined. */
export const eventOf = (message: Plain) => (message.body?.role === "agent" && message.body.content?.type === "event" ? message.body.content.data : undefined);
/** The text blocks of an assistant output, joined. */
export const assistantText = (message: Plain) => {
  const data = outputOf(message);
  if (data?.type !== "assistant") return undefined;
  return (data.message.content as Array<{ type: string; text?: string }>).filter((b) => b.type === "text").map((b) => b.text).join("");
};

/** A session spawned the way the phone does it (machine RPC), in a new folder of the home, ready for messages. */
export async function spawnFromPhone(daemon: Daemon, name: string) {
  const phone = await daemon.connect();
  const directory = join(daemon.box.home, "work", name);
  mkdirSync(directory, { recursive: true });
  const answer = await machineRpc(daemon, phone, "spawn-remcli-session", { type: "spawn-in-directory", directory });
  if (answer.type !== "success") throw new Error(`spawn failed: ${JSON.stringify(answer)}`);
  const session = await phoneSession(daemon, phone, answer.sessionId);
  // The app waits for this before it sends: the agent is connected and ready.
  await eventually("the agent state to be written", async () => ((await session.state()).version > 0 ? true : undefined));
  return { phone, sessionId: answer.sessionId as string, session, directory };
}
