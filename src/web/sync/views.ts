import type { Cipher } from "../../crypto/session-cipher.ts";
import {
  AgentState,
  MachineDaemonState,
  MachineMetadata,
  MessagePlaintext,
  SessionMetadata,
} from "../../protocol/plaintext.ts";
import type { MachineWire, SessionWire, StoredMessage } from "../../protocol/updates.ts";

// Decrypted, parsed views of what the daemon stores as opaque strings.

export type Usage = { tokens: number; cost: number; at: number };

export type SessionView = {
  id: string;
  wire: SessionWire;
  metadata: SessionMetadata | null;
  agentState: AgentState | null;
  active: boolean;
  activeAt: number;
  thinking: boolean;
  /** When this phone saw the agent start working (its clock), while it works. */
  thinkingSince: number | null;
  usage: Usage | null;
};

export type MachineView = {
  id: string;
  wire: MachineWire;
  metadata: MachineMetadata | null;
  daemonState: MachineDaemonState | null;
};

export type ChatMessage = {
  id: string;
  seq: number;
  localId: string | null;
  createdAt: number;
  /** null: did not decrypt or is not a shape we know — shown as such, never dropped silently. */
  plain: MessagePlaintext | null;
};

export function decodeJson<T>(cipher: Cipher, encrypted: string | null, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }): T | null {
  if (encrypted === null) return null;
  const parsed = schema.safeParse(cipher.decrypt(encrypted));
  return parsed.success ? parsed.data : null;
}

export function sessionView(wire: SessionWire, cipher: Cipher, previous?: SessionView): SessionView {
  return {
    id: wire.id,
    wire,
    metadata: decodeJson(cipher, wire.metadata, SessionMetadata),
    agentState: decodeJson(cipher, wire.agentState, AgentState),
    active: wire.active,
    activeAt: wire.activeAt,
    thinking: wire.active ? (previous?.thinking ?? false) : false,
    thinkingSince: wire.active ? (previous?.thinkingSince ?? null) : null,
    usage: previous?.usage ?? null,
  };
}

export function machineView(wire: MachineWire, cipher: Cipher): MachineView {
  return {
    id: wire.id,
    wire,
    metadata: decodeJson(cipher, wire.metadata, MachineMetadata),
    daemonState: decodeJson(cipher, wire.daemonState, MachineDaemonState),
  };
}

export function chatMessage(stored: StoredMessage, cipher: Cipher): ChatMessage {
  return {
    id: stored.id,
    seq: stored.seq,
    localId: stored.localId ?? null,
    createdAt: stored.createdAt,
    plain: decodeJson(cipher, stored.content.c, MessagePlaintext),
  };
}

/** A session's title: its name, its summary, its first request when known, else the last part of its directory. */
export function sessionTitle(session: SessionView, firstRequest?: string | null): string {
  const meta = session.metadata;
  if (!meta) return "Unreadable session";
  if (meta.name) return meta.name;
  const summary = typeof meta.summary === "string" ? meta.summary : meta.summary?.text;
  if (summary) return summary;
  if (firstRequest) return firstRequest;
  return meta.path.split(/[\\/]/).filter(Boolean).pop() ?? meta.path ?? "Session";
}

export type SessionState = "thinking" | "needs-approval" | "idle" | "offline";

/** What the session is doing, from presence and pending permission requests. */
export function sessionState(session: SessionView): SessionState {
  if (!session.active) return "offline";
  if (Object.keys(session.agentState?.requests ?? {}).length > 0) return "needs-approval";
  return session.thinking ? "thinking" : "idle";
}

/** A directory as a phone has room for it: the home directory as ~, long paths cut at the front. */
export function shortPath(path: string, homeDir?: string, max = 48): string {
  const home = homeDir && (path === homeDir || path.startsWith(`${homeDir}/`)) ? `~${path.slice(homeDir.length)}` : path;
  return home.length > max ? `…${home.slice(home.length - max + 1)}` : home;
}
