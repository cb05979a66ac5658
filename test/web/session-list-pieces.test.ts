import { describe, expect, test } from "bun:test";
import type { SessionView } from "../../src/web/sync/views.ts";
import { latestPreview, firstRequest } from "../../src/web/ui/sessions/preview.ts";
import { listed, matches, sortSessions } from "../../src/web/ui/sessions/session-list.ts";

// The list's pure parts: names, order, search and the one-line preview.
function session(id: string, over: { name?: string; summary?: string; path?: string; active?: boolean; thinking?: boolean; requests?: number; at?: number; archivedAt?: number } = {}): SessionView {
  const at = over.at ?? 1_000;
  const requests = Object.fromEntries(Array.from({ length: over.requests ?? 0 }, (_, i) => [`r${i}`, { tool: "Bash", arguments: {} }]));
  return {
    id,
    wire: { id, seq: 0, createdAt: at, updatedAt: at, active: over.active ?? true, activeAt: at, metadata: "", metadataVersion: 0, agentState: null, agentStateVersion: 0, dataEncryptionKey: null },
    metadata: { path: over.path ?? `/home/me/${id}`, homeDir: "/home/me", ...(over.name ? { name: over.name } : {}), ...(over.summary ? { summary: over.summary } : {}), ...(over.archivedAt ? { archivedAt: over.archivedAt } : {}) },
    agentState: { requests },
    active: over.active ?? true,
    activeAt: at,
    thinking: over.thinking ?? false,
    usage: null,
  } as SessionView;
}
const none = { preview: null, first: null };
const message = (seq: number, plain: unknown) => ({ id: `m${seq}`, seq, localId: null, createdAt: seq, plain: plain as never });
const said = (text: string) => ({ role: "agent", content: { type: "output", data: { type: "assistant", message: { role: "assistant", content: [{ type: "text", text }] } } } });

describe("the session list", () => {
  test("a session's name: the user's, else the agent's summary, else the first request, else its folder", () => {
    expect(listed(session("a", { name: "Mine", summary: "Agent's" }), { preview: null, first: "Do it" }).title).toBe("Mine");
    expect(listed(session("a", { summary: "Agent's" }), { preview: null, first: "Do it" }).title).toBe("Agent's");
    expect(listed(session("a"), { preview: null, first: "Do it" }).title).toBe("Do it");
    expect(listed(session("a", { path: "/w/api" }), none).title).toBe("api");
  });

  test("sessions needing approval come first, then the most recently active", () => {
    const order = sortSessions([
      listed(session("old", { at: 1 }), none),
      listed(session("new", { at: 9, thinking: true }), none),
      listed(session("asks", { at: 2, requests: 1 }), none),
      listed(session("ended", { at: 5, active: false }), none),
    ]).map((s) => s.session.id);
    expect(order).toEqual(["asks", "new", "ended", "old"]);
  });

  test("search: every word, in the name, the folder or the preview, ignoring case", () => {
    const item = listed(session("a", { name: "Fix login", path: "/home/me/webapp" }), { preview: { text: "Validates emails", kind: "agent" }, first: null });
    expect(matches(item, "")).toBe(true);
    expect(matches(item, "LOGIN")).toBe(true);
    expect(matches(item, "webapp emails")).toBe(true);
    expect(matches(item, "webapp nope")).toBe(false);
  });

  test("archived: an ended session with the flag; one running again is back in the list", () => {
    expect(listed(session("a", { archivedAt: 5, active: false }), none).archived).toBe(true);
    expect(listed(session("a", { archivedAt: 5, active: true }), none).archived).toBe(false);
  });

  test("the preview is the last line worth reading, in plain text on one line", () => {
    expect(latestPreview([message(1, { role: "user", content: { type: "text", text: "hi\nthere" } }), message(2, said("**Done**: see `a.ts`"))])).toEqual({ text: "Done: see a.ts", kind: "agent" });
    expect(latestPreview([message(1, said("x")), message(2, { role: "agent", content: { type: "event", id: "e", data: { type: "message", message: "Stopped from the phone" } } })])).toEqual({ text: "Stopped from the phone", kind: "event" });
    expect(latestPreview([message(1, { role: "user", content: { type: "text", text: "y".repeat(500) } })])!.text).toHaveLength(160);
    expect(latestPreview([])).toBeNull();
    expect(firstRequest([message(1, said("hello")), message(2, { role: "user", content: { type: "text", text: "Add paging" } })])).toBe("Add paging");
  });
});
