import { createNativeCipher } from "../crypto/native.ts";
import type { P2pServer } from "../p2p/server.ts";

/**
 * Says in a session's conversation why it ended, when the daemon ended it (a stop from
 * the phone): the session process only sees a SIGTERM and cannot tell who sent it.
 * The same event shape a session writes (`{ type: "message" }`), so any app shows it.
 */
export async function postSessionEndNotice(deps: { server: P2pServer; secret: () => Uint8Array }, sessionId: string, text: string) {
  const dataKey = deps.server.store.sessions.dataKeyOf(sessionId);
  if (dataKey === undefined) return false;
  const cipher = createNativeCipher(deps.secret(), dataKey);
  const plaintext = { role: "agent", content: { type: "event", id: crypto.randomUUID(), data: { type: "message", message: text } } };
  return deps.server.appendSessionMessage(sessionId, cipher.encrypt(plaintext));
}
