#!/usr/bin/env bun
/**
 * Phone message → first agent message back on the phone, through the whole path:
 * phone socket → daemon (stored) → session process → Agent SDK → the fake `claude`
 * (answers at once) → SDK → session → daemon (stored) → phone socket. The agent's own
 * thinking is not in it: the fake answers instantly.
 *
 * A daemon and one daemon-spawned session in a temp home; turns one at a time, each
 * waiting for the session's "ready" event before the next. Target: p99 < 50 ms.
 *
 *   bun bench/agent.ts [--turns 300]
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fakeClaude, phoneSession } from "../test/helpers/agent.ts";
import { startDaemon } from "../test/helpers/p2p.ts";
import { eventually } from "../test/helpers/sandbox.ts";
import { machineRpc } from "../test/helpers/sessions.ts";

const { values } = parseArgs({ options: { turns: { type: "string", default: "300" } } });
const TURNS = Number(values.turns);
const WARMUP = 20;
const TARGET_P99_MS = 50;

using claude = fakeClaude();
await using daemon = await startDaemon(claude.env);
const phone = await daemon.connect();
const directory = join(daemon.box.home, "work", "bench");
mkdirSync(directory, { recursive: true });
const spawned = await machineRpc(daemon, phone, "spawn-remcli-session", { type: "spawn-in-directory", directory });
const sessionId: string = spawned.sessionId;
const session = await phoneSession(daemon, phone, sessionId);
await eventually("the agent to be ready", async () => ((await session.state()).version > 0 ? true : undefined));

type Waiter = { kind: "agent" | "ready"; resolve: () => void };
let waiter: Waiter | null = null;
phone.on("update", (update: { body?: { t?: string; sid?: string; message?: { content?: { c?: string } } } }) => {
  const body = update.body;
  if (body?.t !== "new-message" || body.sid !== sessionId || !waiter) return;
  const plain = session.cipher.decrypt(body.message?.content?.c ?? "") as { role?: string; content?: { type?: string; data?: { type?: string } } } | null;
  if (plain?.role !== "agent") return;
  const isReady = plain.content?.type === "event" && plain.content.data?.type === "ready";
  if (waiter.kind === "agent" || isReady) {
    const done = waiter;
    waiter = null;
    done.resolve();
  }
});
const next = (kind: Waiter["kind"]) => new Promise<void>((resolve) => (waiter = { kind, resolve }));

const samples: number[] = [];
for (let turn = 0; turn < WARMUP + TURNS; turn++) {
  const firstAnswer = next("agent");
  const started = performance.now();
  void session.send(`turn ${turn}`);
  await firstAnswer;
  if (turn >= WARMUP) samples.push(performance.now() - started);
  await next("ready");
}

samples.sort((a, b) => a - b);
const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
const p99 = at(0.99);
console.log(`phone message → first agent message: ${TURNS} turns (after ${WARMUP} warm-up)`);
console.log(`  p50 ${at(0.5).toFixed(1)} ms   p90 ${at(0.9).toFixed(1)} ms   p99 ${p99.toFixed(1)} ms   max ${samples.at(-1)!.toFixed(1)} ms`);
console.log(`  target p99 < ${TARGET_P99_MS} ms: ${p99 < TARGET_P99_MS ? "PASS" : "FAIL"}`);
process.exitCode = p99 < TARGET_P99_MS ? 0 : 1;
