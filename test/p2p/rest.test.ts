import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { collect, createSession, startDaemon, type Daemon } from "../helpers/p2p.ts";
import { eventually } from "../helpers/sandbox.ts";

let daemon: Daemon;
beforeAll(async () => {
  daemon = await startDaemon();
});
afterAll(async () => {
  await daemon[Symbol.asyncDispose]();
});

const SESSION_KEYS = [
  "id", "tag", "seq", "createdAt", "updatedAt", "active", "activeAt", "metadata", "metadataVersion",
  "agentState", "agentStateVersion", "dataEncryptionKey", "lastMessage",
].sort();

describe("P2P REST", () => {
  test("POST /v1/sessions creates once per tag and announces new-session with the app's field names", async () => {
    const phone = await daemon.connect();
    const updates = collect(phone, "update");
    const body = { tag: "same-tag", metadata: "bWV0YQ==", agentState: "c3RhdGU=", dataEncryptionKey: "a2V5" };
    const first = await daemon.api("/v1/sessions", { method: "POST", json: body });
    expect(first.status).toBe(200);
    expect(Object.keys(first.body.session).sort()).toEqual(SESSION_KEYS);
    expect(first.body.session).toMatchObject({ tag: "same-tag", metadata: "bWV0YQ==", metadataVersion: 0, lastMessage: null });
    const again = await daemon.api("/v1/sessions", { method: "POST", json: { ...body, metadata: "b3RoZXI=" } });
    expect(again.body.session).toEqual(first.body.session);

    const announced = await eventually("new-session", () => updates.find((u) => u.body.t === "new-session"));
    expect(announced.body).toMatchObject({ t: "new-session", id: first.body.session.id, dataEncryptionKey: "a2V5" });
    expect(announced.body.sessionId).toBeUndefined();
    await phone.emitWithAck("ping");
    expect(updates.filter((u) => u.body.t === "new-session").length).toBe(1);
  });

  test("GET /v1/sessions lists newest first; DELETE removes and announces delete-session with sid", async () => {
    const a = await createSession(daemon);
    const b = await createSession(daemon);
    const list = (await daemon.api("/v1/sessions")).body.sessions.map((s: { id: string }) => s.id);
    expect(list.indexOf(b.id)).toBeLessThan(list.indexOf(a.id));
    const phone = await daemon.connect();
    const updates = collect(phone, "update");
    expect(await daemon.api(`/v1/sessions/${a.id}`, { method: "DELETE" })).toEqual({ status: 200, body: { success: true } });
    const gone = await daemon.api(`/v1/sessions/${a.id}`, { method: "DELETE" });
    expect(gone.status).toBe(404);
    expect(typeof gone.body.error).toBe("string");
    const deleted = await eventually("delete-session", () => updates.find((u) => u.body.t === "delete-session"));
    expect(deleted.body).toEqual({ t: "delete-session", sid: a.id });
    expect((await daemon.api(`/v1/sessions/${a.id}/messages`)).status).toBe(404);
  });

  test("history: latest 150 newest first by default, and limit/before/after page through it", async () => {
    const session = await createSession(daemon);
    const agent = await daemon.connect({ clientType: "session-scoped", sessionId: session.id });
    for (let i = 0; i < 400; i++) agent.emit("message", { sid: session.id, message: `bQ${i}` });
    await agent.emitWithAck("message", { sid: session.id, message: "bGFzdA==" });
    const page = (query: string) => daemon.api(`/v1/sessions/${session.id}/messages${query}`);

    const latest = (await page("")).body.messages;
    expect(latest.length).toBe(150);
    expect(latest[0].seq).toBe(401);
    expect(latest.at(-1).seq).toBe(252);
    expect(Object.keys(latest[0]).sort()).toEqual(["content", "createdAt", "id", "localId", "seq", "updatedAt"]);

    const older = (await page("?limit=100&before=252")).body.messages.map((m: { seq: number }) => m.seq);
    expect(older).toEqual(Array.from({ length: 100 }, (_, i) => 251 - i));
    const caughtUp = (await page("?after=395")).body.messages.map((m: { seq: number }) => m.seq);
    expect(caughtUp).toEqual([396, 397, 398, 399, 400, 401]);
    expect((await page("?limit=1000")).body.messages.length).toBe(401);
    expect((await page("?limit=1001")).status).toBe(400);
  });

  test("/v2/sessions pages with cursor_v1_ cursors and /v2/sessions/active lists active ones", async () => {
    for (let i = 0; i < 5; i++) await createSession(daemon);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2";
      const page = await daemon.api(`/v2/sessions${query}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.sessions.map((s: { id: string }) => s.id));
      expect(page.body.hasNext).toBe(page.body.nextCursor !== null);
      if (page.body.nextCursor) expect(page.body.nextCursor).toMatch(/^cursor_v1_/);
      cursor = page.body.nextCursor;
    } while (cursor);
    const all = (await daemon.api("/v1/sessions")).body.sessions.map((s: { id: string }) => s.id).sort();
    expect([...seen].sort()).toEqual(all);
    expect(new Set(seen).size).toBe(seen.length);
    const active = await daemon.api("/v2/sessions/active?limit=3");
    expect(active.body.sessions.length).toBe(3);
    expect((await daemon.api("/v2/sessions?changedSince=99999999999999")).body.sessions).toEqual([]);
  });

  test("machines: get-or-create, a bare array list, one by id, and new + update-machine announcements", async () => {
    const phone = await daemon.connect();
    const updates = collect(phone, "update");
    const made = await daemon.api("/v1/machines", { method: "POST", json: { id: "m-rest", metadata: "bQ==" } });
    expect(made.body.machine).toMatchObject({ id: "m-rest", metadata: "bQ==", metadataVersion: 0, active: true });
    const again = await daemon.api("/v1/machines", { method: "POST", json: { id: "m-rest", metadata: "b3RoZXI=" } });
    expect(again.body.machine.metadata).toBe("bQ==");
    const list = await daemon.api("/v1/machines");
    expect(Array.isArray(list.body)).toBe(true);
    // The daemon registers its own machine at start.
    expect(list.body.length).toBe(2);
    expect((await daemon.api("/v1/machines/m-rest")).body.machine.id).toBe("m-rest");
    expect((await daemon.api("/v1/machines/nope")).status).toBe(404);
    await eventually("update-machine", () => updates.find((u) => u.body.t === "update-machine"));
    expect(updates.map((u) => u.body.t)).toEqual(["new-machine", "update-machine"]);
  });

  test("the start-up routes of the reference app answer with its shapes", async () => {
    expect((await daemon.api("/v1/account/profile")).body).toMatchObject({ id: "p2p-local", firstName: null, github: null });
    expect((await daemon.api("/v1/account/settings")).body).toEqual({ settings: null, settingsVersion: 0 });
    expect((await daemon.api("/v1/account/settings", { method: "POST", json: {} })).body).toEqual({ success: true });
    expect((await daemon.api("/v1/kv")).body).toEqual({ items: [] });
    expect((await daemon.api("/v1/kv/x")).status).toBe(404);
    expect((await daemon.api("/v1/kv/bulk", { method: "POST", json: { keys: [] } })).body).toEqual({ values: [] });
    expect((await daemon.api("/v1/artifacts")).body).toEqual([]);
    expect((await daemon.api("/v1/artifacts", { method: "POST", json: {} })).status).toBe(501);
    expect((await daemon.api("/v1/voice/token", { method: "POST", json: {} })).status).toBe(400);
    expect((await daemon.api("/v1/nothing-here")).status).toBe(404);
  });
});
