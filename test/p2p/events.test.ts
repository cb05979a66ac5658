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

describe("Socket.IO events and routing", () => {
  test("a message is acked after commit and reaches the phone, not its sender", async () => {
    const session = await createSession(daemon);
    const phone = await daemon.connect();
    const agent = await daemon.connect({ clientType: "session-scoped", sessionId: session.id });
    const phoneUpdates = collect(phone, "update");
    const agentUpdates = collect(agent, "update");

    const ack = await agent.emitWithAck("message", { sid: session.id, message: "Y2lwaGVy", localId: "a-1" });
    expect(ack).toMatchObject({ ok: true, seq: 1, localId: "a-1", id: expect.any(String) });
    const update = await eventually("the phone's update", () => phoneUpdates[0]);
    expect(update).toMatchObject({
      seq: expect.any(Number),
      createdAt: expect.any(Number),
      body: {
        t: "new-message",
        sid: session.id,
        message: { id: ack.id, seq: 1, localId: "a-1", content: { t: "encrypted", c: "Y2lwaGVy" } },
      },
    });
    await phone.emitWithAck("ping");
    expect(agentUpdates.filter((u) => u.body.t === "new-message")).toEqual([]);
  });

  test("the same localId twice stores one message and acks the first", async () => {
    const session = await createSession(daemon);
    const agent = await daemon.connect({ clientType: "session-scoped", sessionId: session.id });
    const first = await agent.emitWithAck("message", { sid: session.id, message: "b25l", localId: "dup" });
    const second = await agent.emitWithAck("message", { sid: session.id, message: "dHdv", localId: "dup" });
    expect(second).toEqual(first);
    const history = await daemon.api(`/v1/sessions/${session.id}/messages`);
    expect(history.body.messages.length).toBe(1);
    expect(history.body.messages[0].content.c).toBe("b25l");
  });

  test("messages committed together: a repeated localId is still one message, and each session counts its own seqs", async () => {
    const [a, b] = [await createSession(daemon), await createSession(daemon)];
    const phone = await daemon.connect();
    // Sent in one tick, so the daemon commits them in one batch.
    const acks = await Promise.all([
      phone.emitWithAck("message", { sid: a.id, message: "YTE=", localId: "same" }),
      phone.emitWithAck("message", { sid: b.id, message: "YjE=" }),
      phone.emitWithAck("message", { sid: a.id, message: "YTI=", localId: "same" }),
      phone.emitWithAck("message", { sid: a.id, message: "YTM=" }),
      phone.emitWithAck("message", { sid: b.id, message: "YjI=" }),
    ]);
    expect(acks.map((ack) => ack.seq)).toEqual([1, 1, 1, 2, 2]);
    expect(acks[2]).toEqual(acks[0]);
    const contents = async (id: string) =>
      ((await daemon.api(`/v1/sessions/${id}/messages?after=0`)).body.messages as Array<{ seq: number; content: { c: string } }>).map(
        (m) => [m.seq, m.content.c],
      );
    expect(await contents(a.id)).toEqual([[1, "YTE="], [2, "YTM="]]);
    expect(await contents(b.id)).toEqual([[1, "YjE="], [2, "YjI="]]);
  });

  test("a message without an ack callback is still stored, as with the reference", async () => {
    const session = await createSession(daemon);
    const phone = await daemon.connect();
    phone.emit("message", { sid: session.id, message: "bm8tYWNr" });
    const history = await eventually("the stored message", async () => {
      const page = await daemon.api(`/v1/sessions/${session.id}/messages`);
      return page.body.messages.length === 1 ? page.body.messages : undefined;
    });
    expect(history[0]).toMatchObject({ seq: 1, localId: null, content: { c: "bm8tYWNr" } });
  });

  test("message seqs are 1..n per session and user seqs strictly increase with no gaps", async () => {
    const session = await createSession(daemon);
    const other = await createSession(daemon);
    const phone = await daemon.connect();
    const updates = collect(phone, "update");
    const observer = await daemon.connect();
    const everything = collect(observer, "update");
    const senders = await Promise.all([
      daemon.connect({ clientType: "session-scoped", sessionId: session.id }),
      daemon.connect({ clientType: "session-scoped", sessionId: other.id }),
      daemon.connect(),
    ]);
    const acks = await Promise.all(
      Array.from({ length: 90 }, (_, i) =>
        senders[i % 3]!.emitWithAck("message", { sid: i % 2 ? session.id : other.id, message: `bXNn${i}` }),
      ),
    );
    expect(acks.every((a) => a.ok)).toBe(true);
    const bySession = (sid: string) =>
      acks.filter((_, i) => (i % 2 ? session.id : other.id) === sid).map((a) => a.seq).sort((a, b) => a - b);
    expect(bySession(session.id)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
    expect(bySession(other.id)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
    // The phone sent a third of them itself, so it hears the other 60.
    await eventually("60 updates", () => (updates.length >= 60 ? true : undefined));
    const seqs = updates.map((u) => u.seq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]);
    // A phone that sent nothing hears every update: consecutive numbers, no gap.
    await eventually("90 updates", () => (everything.length >= 90 ? true : undefined));
    const all = everything.map((u) => u.seq);
    expect(all).toEqual(Array.from({ length: all.length }, (_, i) => all[0] + i));
  });

  test("a session-scoped socket does not receive another session's updates", async () => {
    const mine = await createSession(daemon);
    const theirs = await createSession(daemon);
    const watcher = await daemon.connect({ clientType: "session-scoped", sessionId: mine.id });
    const seen = collect(watcher, "update");
    const ephemeral = collect(watcher, "ephemeral");
    const phone = await daemon.connect();
    await phone.emitWithAck("message", { sid: theirs.id, message: "b3RoZXI=" });
    await phone.emitWithAck("message", { sid: mine.id, message: "bWluZQ==" });
    phone.emit("session-alive", { sid: mine.id, time: Date.now(), thinking: true });
    await eventually("my update", () => (seen.length > 0 ? true : undefined));
    await watcher.emitWithAck("ping");
    expect(seen.map((u) => u.body.sid)).toEqual([mine.id]);
    expect(ephemeral).toEqual([]);
  });

  test("OCC: a stale expectedVersion gets the current value back and changes nothing", async () => {
    const session = await createSession(daemon);
    const phone = await daemon.connect();
    const agent = await daemon.connect({ clientType: "session-scoped", sessionId: session.id });
    const updates = collect(agent, "update");
    expect(await phone.emitWithAck("update-metadata", { sid: session.id, metadata: "djE=", expectedVersion: 0 })).toEqual({
      result: "success",
      version: 1,
      metadata: "djE=",
    });
    expect(await phone.emitWithAck("update-metadata", { sid: session.id, metadata: "c3RhbGU=", expectedVersion: 0 })).toEqual({
      result: "version-mismatch",
      version: 1,
      metadata: "djE=",
    });
    expect(await agent.emitWithAck("update-state", { sid: session.id, agentState: "c3Q=", expectedVersion: 0 })).toEqual({
      result: "success",
      version: 1,
      agentState: "c3Q=",
    });
    expect(await agent.emitWithAck("update-state", { sid: session.id, agentState: null, expectedVersion: 1 })).toEqual({
      result: "success",
      version: 2,
      agentState: null,
    });
    const stored = (await daemon.api("/v1/sessions")).body.sessions.find((s: { id: string }) => s.id === session.id);
    expect(stored).toMatchObject({ metadata: "djE=", metadataVersion: 1, agentState: null, agentStateVersion: 2 });
    const change = await eventually("update-session", () => updates.find((u) => u.body.t === "update-session"));
    expect(change.body).toEqual({ t: "update-session", id: session.id, metadata: { value: "djE=", version: 1 } });
  });

  test("presence: session-alive and session-end become activity ephemerals for phones", async () => {
    const session = await createSession(daemon);
    const phone = await daemon.connect();
    const events = collect(phone, "ephemeral");
    const agent = await daemon.connect({ clientType: "session-scoped", sessionId: session.id });
    const now = Date.now();
    agent.emit("session-alive", { sid: session.id, time: now, thinking: true });
    agent.emit("session-end", { sid: session.id, time: now + 1 });
    await eventually("two activity events", () => (events.length >= 2 ? true : undefined));
    expect(events[0]).toEqual({ type: "activity", id: session.id, active: true, activeAt: now, thinking: true });
    expect(events[1]).toMatchObject({ type: "activity", id: session.id, active: false, thinking: false });
    const active = await daemon.api("/v2/sessions/active");
    expect(active.body.sessions.some((s: { id: string }) => s.id === session.id)).toBe(false);
  });

  test("usage reports with a session become usage ephemerals; ping answers {}", async () => {
    const phone = await daemon.connect();
    const events = collect(phone, "ephemeral");
    const agent = await daemon.connect({ clientType: "session-scoped", sessionId: "s-usage" });
    agent.emit("usage-report", {
      key: "claude",
      sessionId: "s-usage",
      tokens: { total: 3, input: 1, output: 2, cache_creation: 0, cache_read: 0 },
      cost: { total: 0.5, input: 0.2, output: 0.3 },
    });
    const usage = await eventually("usage", () => events.find((e) => e.type === "usage"));
    expect(usage).toMatchObject({ type: "usage", id: "s-usage", key: "claude", timestamp: expect.any(Number) });
    expect(await phone.emitWithAck("ping")).toEqual({});
  });

  test("machine events: OCC on metadata and daemon state, and machine-activity", async () => {
    const created = await daemon.api("/v1/machines", { method: "POST", json: { id: "m-test", metadata: "bWQ=" } });
    expect(created.body.machine).toMatchObject({ id: "m-test", metadataVersion: 0, daemonStateVersion: 0 });
    const phone = await daemon.connect();
    const ephemeral = collect(phone, "ephemeral");
    const machine = await daemon.connect({ clientType: "machine-scoped", machineId: "m-test" });
    expect(
      await machine.emitWithAck("machine-update-state", { machineId: "m-test", daemonState: "ZHM=", expectedVersion: 0 }),
    ).toEqual({ result: "success", version: 1, daemonState: "ZHM=" });
    expect(
      await machine.emitWithAck("machine-update-metadata", { machineId: "m-test", metadata: "eA==", expectedVersion: 5 }),
    ).toEqual({ result: "version-mismatch", version: 0, metadata: "bWQ=" });
    machine.emit("machine-alive", { machineId: "m-test", time: Date.now() });
    const activity = await eventually("machine-activity", () => ephemeral.find((e) => e.type === "machine-activity"));
    expect(activity).toMatchObject({ id: "m-test", active: true });
  });
});
