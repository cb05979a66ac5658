#!/usr/bin/env bun
/**
 * Scenario b of the shared load generator (1 KB messages, 64 in flight, one session-scoped
 * sender, one user-scoped socket receiving them), with a client that costs little: engine.io
 * and socket.io frames written and read by hand over Bun's WebSocket. The shared
 * `load.mjs` is one Node thread that needs ~50 µs of CPU per message, as much as either
 * server, so on two cores it measures itself as much as the server; this one needs a
 * fraction of that, and what it measures is the server. Speaks only the wire protocol, so
 * it runs against the reference server and ours alike (bench/side-by-side.ts runs both).
 *
 * A message is done when it reached the receiver and, from a server that acks (ours), was
 * acked. Prints one JSON line: msg/s, delivery and ack p50/p99, the client's CPU per message.
 *
 *   bun bench/lean-load.ts --url http://127.0.0.1:PORT --token TOKEN [--m 30000] [--window 64]
 */
import { parseArgs } from "node:util";
import { connectLean } from "./lean-socket.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    token: { type: "string" },
    m: { type: "string", default: "30000" },
    window: { type: "string", default: "64" },
  },
});
if (!values.url || !values.token) {
  console.error("lean-load: needs --url and --token");
  process.exit(2);
}
const url = values.url.replace(/\/$/, "");
const token = values.token;
const [TOTAL, WINDOW] = [Number(values.m), Number(values.window)];
const PAYLOAD = Buffer.alloc(768, 7).toString("base64"); // the same 1 KB "ciphertext" as load.mjs
const WATCHDOG_MS = 120_000;
setTimeout(() => {
  console.error("lean-load: gave up");
  process.exit(3);
}, WATCHDOG_MS).unref();

const connect = (auth: Record<string, unknown>, onFrame: (frame: string) => void) => connectLean(url, token, auth, onFrame).joined;

const percentile = (xs: number[], p: number) => {
  if (xs.length === 0) return null;
  const sorted = Float64Array.from(xs).sort();
  return Number(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(3));
};

const created = await fetch(`${url}/v1/sessions`, {
  method: "POST",
  headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
  body: JSON.stringify({ tag: `lean-${Date.now()}-${Math.random().toString(36).slice(2)}`, metadata: "bWV0YQ==" }),
});
const sid = ((await created.json()) as { session: { id: string } }).session.id;

const sentAt = new Map<string, number>();
const delivered = new Set<string>();
const acked = new Set<string>();
const deliveries: number[] = [];
const acks: number[] = [];
let ackMode = false;
let done: () => void = () => {};
let sent = 0;
let finished = 0;

const localIdOf = (frame: string) => {
  const at = frame.indexOf('"localId":"');
  return at < 0 ? null : frame.slice(at + 11, frame.indexOf('"', at + 11));
};
const complete = (localId: string) => {
  if (!delivered.has(localId) || (ackMode && !acked.has(localId))) return;
  finished++;
  if (sent < TOTAL) send();
  else if (finished === TOTAL) done();
};

const receiver = await connect({ clientType: "user-scoped" }, (frame) => {
  if (!frame.startsWith('42["update"') || !frame.includes('"new-message"')) return;
  const localId = localIdOf(frame);
  if (localId === null || !sentAt.has(localId) || delivered.has(localId)) return;
  delivered.add(localId);
  deliveries.push(performance.now() - sentAt.get(localId)!);
  complete(localId);
});
const ackIds = new Map<number, string>();
let onProbeAck: (id: number) => void = () => {};
const sender = await connect({ clientType: "session-scoped", sessionId: sid }, (frame) => {
  if (!frame.startsWith("43")) return;
  const id = Number(frame.slice(2, frame.indexOf("[")));
  onProbeAck(id);
  const localId = ackIds.get(id);
  if (localId === undefined) return;
  ackIds.delete(id);
  acked.add(localId);
  acks.push(performance.now() - sentAt.get(localId)!);
  complete(localId);
});
const head = JSON.stringify({ sid, message: PAYLOAD }).slice(0, -1);
let nextAck = 0;
function send(): void {
  const localId = `lean-${sent++}`;
  sentAt.set(localId, performance.now());
  ackIds.set(nextAck, localId);
  sender.send(`42${nextAck++}["message",${head},"localId":"${localId}"}]`);
}

// Does this server ack? One probe message, one second to answer (the reference never does).
await new Promise<void>((resolve) => {
  const id = nextAck++;
  const timer = setTimeout(resolve, 1_000);
  onProbeAck = (answered) => {
    if (answered !== id) return;
    ackMode = true;
    clearTimeout(timer);
    resolve();
  };
  sender.send(`42${id}["message",${head},"localId":"probe-${Date.now()}"}]`);
});

const cpuBefore = process.cpuUsage();
const started = performance.now();
await new Promise<void>((resolve) => {
  done = resolve;
  for (let i = 0; i < WINDOW && sent < TOTAL; i++) send();
});
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
sender.close();
receiver.close();
console.log(
  JSON.stringify({
    scenario: "lean-b",
    sent,
    completed: finished,
    ackMode,
    msgPerS: Math.round(finished / seconds),
    delivery: { p50ms: percentile(deliveries, 0.5), p99ms: percentile(deliveries, 0.99) },
    ack: ackMode ? { p50ms: percentile(acks, 0.5), p99ms: percentile(acks, 0.99) } : null,
    clientCpuUsPerMessage: Number(((cpu.user + cpu.system) / finished).toFixed(1)),
  }),
);
process.exit(0);
