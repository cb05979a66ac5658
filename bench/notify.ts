#!/usr/bin/env bun
/**
 * A permission request in the agent → the Web Push request at the push service, through
 * the whole path: the fake `claude` asks `can_use_tool` → Agent SDK → session process
 * (broker) → signed control call → daemon → dispatcher → web-push (aes128gcm + VAPID) →
 * HTTP POST to a push service on loopback. Measured from the moment the fake asks (its
 * wall clock, written to its log) to the request's arrival (ours); both clocks are this
 * machine's.
 *
 * A daemon, one daemon-spawned session and one subscription in a temp home, the collapse
 * window off (REMCLI_NOTIFY_COLLAPSE_MS=0) so every request is pushed. Each turn: the phone
 * asks for a tool, the push arrives, the phone denies. Target: p99 < 100 ms.
 *
 *   bun bench/notify.ts [--turns 200]
 */
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import { fakeClaude, spawnFromPhone } from "../test/helpers/agent.ts";
import { startDaemon } from "../test/helpers/p2p.ts";
import { makeSubscription, startPushService } from "../test/helpers/push-service.ts";
import { eventually } from "../test/helpers/sandbox.ts";
import { machineRpc } from "../test/helpers/sessions.ts";

const { values } = parseArgs({ options: { turns: { type: "string", default: "200" } } });
const TURNS = Number(values.turns);
const WARMUP = 10;
const TARGET_P99_MS = 100;

using claude = fakeClaude();
using push = startPushService();
await using daemon = await startDaemon({ ...claude.env, REMCLI_NOTIFY_COLLAPSE_MS: "0" });
const browser = makeSubscription(`${push.base}/push/bench`);
const { phone, session } = await spawnFromPhone(daemon, "bench");
await machineRpc(daemon, phone, "notify-subscribe", { subscription: browser.json, label: "bench" });

const asked = () => claude.received().flatMap((r) => (r.type === "asked" ? [r.at] : []));
const samples: number[] = [];
for (let turn = 0; turn < WARMUP + TURNS; turn++) {
  const before = push.to(browser.path).length;
  await session.send(`please run a tool ${turn}`);
  const id = await session.openRequest("Bash");
  const arrived = await eventually("the push", () => push.to(browser.path)[before]);
  const askedAt = await eventually("the fake's record", () => asked()[turn]);
  // The push service's clock is performance.now() of this process: make it wall-clock.
  const arrivedAt = performance.timeOrigin + arrived.at;
  if (turn >= WARMUP) samples.push(arrivedAt - askedAt);
  // Answered: the request is gone from the agent state before the answer returns; the
  // next turn waits in the session's queue until this one ends.
  await session.rpc("permission", { id, approved: false, decision: "denied", reason: "bench" });
}

samples.sort((a, b) => a - b);
const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
const p99 = at(0.99);
console.log(`permission request in the agent → push request at the push service: ${TURNS} requests (after ${WARMUP} warm-up)`);
console.log(`  p50 ${at(0.5).toFixed(1)} ms   p90 ${at(0.9).toFixed(1)} ms   p99 ${p99.toFixed(1)} ms   max ${samples.at(-1)!.toFixed(1)} ms`);
console.log(`  goal p99 < ${TARGET_P99_MS} ms: ${p99 < TARGET_P99_MS ? "met" : "not met"}`);
console.log(`  uptime: ${execFileSync("uptime", { encoding: "utf8" }).trim()}`);
process.exitCode = p99 < TARGET_P99_MS ? 0 : 1;
