import type { AcpContent } from "../protocol/acp.ts";
import type { AgentOutput } from "./agent.ts";
import { fitJson } from "./bounded.ts";
import type { SessionLink } from "./session-link.ts";

/** Session events the app renders (reference `agentEventSchema`). */
export type SessionEvent = { type: "message"; message: string } | { type: "switch"; mode: "local" | "remote" } | { type: "ready" };

/** Ciphertext is base64 of the plaintext plus a nonce and tag: 4/3 of it, and some room. */
const plaintextBudget = (wireLimit: number) => Math.floor((wireLimit * 3) / 4) - 1024;

/**
 * The session's outgoing messages in PROTOCOL.md §7 shapes, each cut to fit the
 * daemon's message limit — a message the daemon refuses would be lost, a trimmed
 * one is still shown.
 */
export function createSessionMessages(link: SessionLink, wireLimit: number) {
  const budget = plaintextBudget(wireLimit);
  const send = (plaintext: unknown) => link.send(fitJson(plaintext, budget));
  return {
    /** One agent record (SDK message or transcript entry), for the app to render. */
    output(data: AgentOutput) {
      send({ role: "agent", content: { type: "output", data }, meta: { sentFrom: "cli" } });
    },
    /** One message of an ACP agent, already in the app's `acp` shape. */
    acp(content: AcpContent) {
      send({ role: "agent", content, meta: { sentFrom: "cli" } });
    },
    event(data: SessionEvent) {
      send({ role: "agent", content: { type: "event", id: crypto.randomUUID(), data } });
    },
    /** A prompt typed in the terminal: the phone shows it as the user's message. */
    terminalPrompt(text: string) {
      send({ role: "user", content: { type: "text", text }, meta: { sentFrom: "cli" } });
    },
    /** A transcript entry: a prompt typed in the terminal, or agent output. */
    transcriptEntry(entry: AgentOutput) {
      const content = (entry.message as { content?: unknown } | undefined)?.content;
      if (entry.type === "user" && typeof content === "string" && entry.isSidechain !== true && entry.isMeta !== true) {
        this.terminalPrompt(content);
        return;
      }
      this.output(entry);
    },
  };
}

export type SessionMessages = ReturnType<typeof createSessionMessages>;
