import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import type { Socket } from "socket.io-client";
import { createCipher, newDataEncryptionKey } from "../../src/crypto/session-cipher.ts";
import { RESPONSE_BUDGET_BYTES } from "../../src/p2p/routes/paging.ts";
import { NEXT_CURSOR_HEADER } from "../../src/protocol/paging.ts";
import { createConversation } from "../../src/web/sync/conversation.ts";
import { createRestClient } from "../../src/web/sync/rest.ts";
import { createSession, startDaemon, type Daemon } from "../helpers/p2p.ts";
import { peakGrowthDuring } from "../helpers/memory.ts";

// Every list answer of the phone port is bounded in bytes, says when it was cut short, and
// every client that pages follows that signal (docs/protocol-extensions.md).

const MB = 1024 * 1024;
const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;

let daemon: Daemon;
beforeAll(async () => {
  // Room for one message larger than the whole budget: such a page must still hold it.
  daemon = await startDaemon({ REMCLI_MESSAGE_LIMIT_BYTES: String(6 * MB) });
});
afterAll(async () => {
  await daemon[Symbol.asyncDispose]();
});

/** A distinct ciphertext-like string of `chars` base64 characters. */
const blob = (chars: number) => randomBytes(Math.ceil((chars * 3) / 4)).toString("base64").slice(0, chars);

async function sendAll(agent: Socket, sid: string, messages: string[]) {
  for (const message of messages) {
    const ack = await agent.timeout(30_000).emitWithAck("message", { sid, message });
    if (!ack.ok) throw new Error(`message refused: ${ack.error}`);
  }
}

async function getText(path: string, cursor?: string) {
  const url = new URL(`${daemon.base}${path}`);
  if (cursor !== undefined) url.searchParams.set("cursor", cursor);
  const response = await fetch(url, { headers: { authorization: `Bearer ${daemon.token}` } });
  const text = await response.text();
  return { status: response.status, bytes: text.length, body: JSON.parse(text), headers: response.headers };
}

describe("bounded responses", () => {
  test("history pages stop at the byte budget, say hasMore and where to go on, and both cursors reach every message", async () => {
    const session = await createSession(daemon);
    const agent = await daemon.connect({ clientType: "session-scoped", sessionId: session.id });
    // 40 messages of 1 MB, the 21st of 5 MB: more than the whole budget on its own.
    await sendAll(agent, session.id, Array.from({ length: 41 }, (_, i) => blob(i === 20 ? 5 * MB : MB)));
    const path = `/v1/sessions/${session.id}/messages`;

    // Four of the largest pages at once: the daemon builds four budgets, not four whole histories.
    const four = await peakGrowthDuring(daemon.pid, () =>
      Promise.all(Array.from({ length: 4 }, () => getText(`${path}?limit=1000&after=0`))),
    );
    console.log(`history: four limit=1000 pages at once over 46 MB of history: daemon peak RSS +${four.growthMb} MB`);
    expect(four.growthMb).toBeLessThan(50);

    const latest = await getText(`${path}?limit=1000`);
    expect(latest.status).toBe(200);
    expect(latest.bytes).toBeLessThanOrEqual(RESPONSE_BUDGET_BYTES);
    expect(latest.body.hasMore).toBe(true);
    expect(latest.body.nextBefore).toBe(latest.body.messages.at(-1).seq);

    const walk = async (direction: "before" | "after") => {
      const seqs: number[] = [];
      const sizes: number[] = [];
      let query = direction === "after" ? "after=0" : "";
      for (;;) {
        const page = await getText(`${path}?limit=1000&${query}`);
        sizes.push(page.bytes);
        seqs.push(...page.body.messages.map((m: { seq: number }) => m.seq));
        if (page.body.messages.length > 1) expect(page.bytes).toBeLessThanOrEqual(RESPONSE_BUDGET_BYTES);
        if (!page.body.hasMore) return { seqs, sizes };
        const next = direction === "after" ? page.body.nextAfter : page.body.nextBefore;
        expect(next).toBe(page.body.messages.at(-1).seq);
        query = `${direction}=${next}`;
      }
    };
    const backwards = await walk("before");
    expect(backwards.seqs).toEqual(Array.from({ length: 41 }, (_, i) => 41 - i));
    const forwards = await walk("after");
    expect(forwards.seqs).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
    // The 5 MB message came alone, in a page of its own: paging never stalls on it.
    expect(Math.max(...forwards.sizes)).toBeGreaterThan(5 * MB);
    const small = await getText(`${path}?limit=2&after=39`);
    expect(small.body).toMatchObject({ hasMore: false });
    expect(small.body.messages.map((m: { seq: number }) => m.seq)).toEqual([40, 41]);
    const counted = await getText(`${path}?limit=2&after=1`);
    expect(counted.body).toMatchObject({ hasMore: true, nextAfter: 3 });
    console.log(
      `history: 41 messages (46 MB): latest page ${kb(latest.bytes)} with ${latest.body.messages.length} messages; ` +
        `${backwards.sizes.length} pages backwards, ${forwards.sizes.length} forwards, largest ${kb(Math.max(...forwards.sizes))}`,
    );

  });

  test("the phone app opens, scrolls back and catches up a conversation of large messages by hasMore", async () => {
    const key = newDataEncryptionKey(daemon.secret);
    const cipher = createCipher(daemon.secret, key.wrapped);
    const created = await daemon.api("/v1/sessions", {
      method: "POST",
      json: { tag: `phone-${crypto.randomUUID()}`, metadata: cipher.encrypt({ path: "/tmp" }), dataEncryptionKey: key.wrapped },
    });
    const sid: string = created.body.session.id;
    const agent = await daemon.connect({ clientType: "session-scoped", sessionId: sid });
    const text = (i: number) => ({ role: "agent", content: { type: "text", text: `${i} ${blob(700_000)}` } });
    await sendAll(agent, sid, Array.from({ length: 6 }, (_, i) => cipher.encrypt(text(i))));

    const rest = createRestClient(daemon.base, daemon.token);
    const conversation = createConversation({ sid, rest: () => rest, cipher: () => cipher, changed: () => {} });
    await conversation.open();
    const first = conversation.state.messages.length;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(6);
    expect(conversation.state.hasOlder).toBe(true);
    while (conversation.state.hasOlder) await conversation.loadOlder();
    expect(conversation.state.messages.map((m) => m.seq)).toEqual(Array.from({ length: 6 }, (_, i) => i + 1));

    // Sent while this phone was not listening: a catch-up must follow every short page.
    await sendAll(agent, sid, Array.from({ length: 6 }, (_, i) => cipher.encrypt(text(6 + i))));
    await conversation.catchUp();
    expect(conversation.state.messages.map((m) => m.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    console.log(`phone app: 12 messages of ~1 MB, the latest page held ${first}, all loaded and caught up by hasMore`);
    // Pure-JS crypto (the phone's) of 12 MB is slow on a busy 2-core machine.
  }, 60_000);

  test("session lists stop at the byte budget and their cursors reach every session once", async () => {
    const made = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const created = await daemon.api("/v1/sessions", {
        method: "POST",
        json: { tag: `big-${i}-${crypto.randomUUID()}`, metadata: blob(MB - 1024), agentState: blob(MB / 2) },
      });
      expect(created.status).toBe(200);
      made.add(created.body.session.id);
    }
    const follow = async (route: string, next: (body: any) => string | null) => {
      const ids: string[] = [];
      const sizes: number[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await getText(route, cursor);
        expect(page.status).toBe(200);
        sizes.push(page.bytes);
        if (page.body.sessions.length > 1) expect(page.bytes).toBeLessThanOrEqual(RESPONSE_BUDGET_BYTES);
        ids.push(...page.body.sessions.map((s: { id: string }) => s.id));
        const cursorNext = next(page.body);
        if (cursorNext === null) return { ids, sizes };
        cursor = cursorNext;
      }
    };
    for (const [route, next] of [
      ["/v1/sessions", (b: any) => (b.hasMore ? b.nextCursor : null)],
      ["/v2/sessions/active?limit=500", (b: any) => (b.hasMore ? b.nextCursor : null)],
      // The protocol's own paging: a page cut short by bytes is a page with hasNext.
      ["/v2/sessions?limit=200", (b: any) => (b.hasNext ? b.nextCursor : null)],
    ] as const) {
      const { ids, sizes } = await follow(route, next);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of made) expect(ids).toContain(id);
      expect(sizes.length).toBeGreaterThan(2);
      console.log(`${route}: 10 sessions of 1.5 MB in ${sizes.length} pages, largest ${kb(Math.max(...sizes))}`);
    }
    // The phone app follows the same cursor and still sees every session.
    const listed = (await createRestClient(daemon.base, daemon.token).sessions()).map((s) => s.id);
    for (const id of made) expect(listed).toContain(id);
    expect((await getText("/v1/sessions?cursor=bm90LWEtY3Vyc29y")).status).toBe(400);
  });

  test("machines are bounded in count and listed within the budget, the rest named by a header", async () => {
    const existing = (await getText("/v1/machines")).body.length;
    const created: string[] = [];
    for (let i = existing; i < 32; i++) {
      const id = `machine-${i}-${crypto.randomUUID()}`;
      const made = await daemon.api("/v1/machines", { method: "POST", json: { id, metadata: blob(MB / 2), daemonState: blob(MB / 8) } });
      expect(made.status).toBe(200);
      created.push(id);
    }
    const refused = await daemon.api("/v1/machines", { method: "POST", json: { id: "one-too-many", metadata: "bWV0YQ==" } });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toContain("32 machines");
    // Get-or-create of a machine it keeps still answers.
    const again = await daemon.api("/v1/machines", { method: "POST", json: { id: created[0], metadata: "bWV0YQ==" } });
    expect(again.status).toBe(200);
    expect((await getText("/v1/machines/one-too-many")).status).toBe(404);

    const ids: string[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await getText("/v1/machines", cursor);
      expect(Array.isArray(page.body)).toBe(true);
      if (page.body.length > 1) expect(page.bytes).toBeLessThanOrEqual(RESPONSE_BUDGET_BYTES);
      sizes.push(page.bytes);
      ids.push(...page.body.map((m: { id: string }) => m.id));
      cursor = page.headers.get(NEXT_CURSOR_HEADER) ?? undefined;
    } while (cursor !== undefined);
    expect(ids.length).toBe(32);
    expect(new Set(ids).size).toBe(32);
    for (const id of created) expect(ids).toContain(id);
    expect(sizes.length).toBeGreaterThan(3);
    const phone = await createRestClient(daemon.base, daemon.token).machines();
    expect(phone.map((m) => m.id).sort()).toEqual([...ids].sort());
    console.log(`/v1/machines: 32 machines (the most kept), ${sizes.length} pages, largest ${kb(Math.max(...sizes))}; the 33rd refused with 409`);
  });
});
