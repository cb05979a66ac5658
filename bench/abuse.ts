#!/usr/bin/env bun
/**
 * What an attacker on the LAN costs the daemon (issue 11), one flood at a time, against a
 * daemon of its own (test/helpers/p2p.ts: a temp home, 127.0.0.1, stopped by pid at the end).
 * For each flood: the daemon's RSS growth at its peak (VmHWM, reset before the flood) and
 * right after it, `/health` p50/p99 measured from a worker thread during it, and how many
 * bytes daemon.log grew.
 *
 *   a   30,000 bare engine.io handshakes (no token), 64 at a time
 *   b   20 WebSocket readers that stop reading, and 40 × 1 MB messages into a session they
 *       watch (one healthy phone must still get all 40)
 *   b0  (control) the 40 × 1 MB messages and the healthy phone alone: what b costs without readers
 *   b2  the same with 20 polling clients that never poll again
 *   c   a token holder calls `<machine>:spawn-remcli-session` 1,500 times with params that
 *       do not decrypt (50 in flight)
 *   c2  1,500 socket joins with a wrong token, 20 at a time
 *   d   four GETs at once of `?limit=1000` in a session of 1,000 × 1 MB messages
 *
 * Goals: every growth < 50 MB (b and b2: beyond the control b0, whose 40 MB of messages are
 * allowed traffic), /health p99 < 100 ms, log growth < 100 KB. Every flood is bounded in
 * count and time, and cut short if the daemon passes 3 GB. Loopback only.
 *
 *   bun bench/abuse.ts [--only a,b2]
 */
import { parseArgs } from "node:util";
import {
  bareHandshakes,
  countNewMessages,
  daemonMemory,
  logBytes,
  percentile,
  pool,
  sendMegabytes,
  sessionGone,
  stalledPoller,
  stalledWebSocket,
  tryJoin,
  type StalledReader,
} from "../test/helpers/flood.ts";
import { createSession, startDaemon, type Daemon } from "../test/helpers/p2p.ts";

const { values } = parseArgs({ options: { only: { type: "string" } } });
const only = values.only ? new Set(values.only.split(",").map((s) => s.trim())) : null;

const GOAL = { growthMb: 50, healthP99Ms: 100, logBytes: 100 * 1024 };
const CEILING_MB = 3 * 1024;
const FLOOD_MS = 90_000;

type Row = { id: string; flood: string; outcome: string; peakMb: number; afterMb: number; p50: number; p99: number; logBytes: number };
const rows: Row[] = [];
const fmt = (n: number, digits = 1) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

// ---------------------------------------------------------------- measuring

const probe = new Worker(new URL("./health-probe.ts", import.meta.url).href);

function probeHealth(url: string): () => Promise<number[]> {
  const samples = new Promise<number[]>((resolve) => {
    probe.onmessage = (event: MessageEvent<number[]>) => resolve(event.data);
  });
  probe.postMessage({ start: url });
  return () => {
    probe.postMessage({ stop: true });
    return samples;
  };
}

/** Set while a flood runs when the daemon passed CEILING_MB; floods stop issuing then. */
const guard = { cut: false };

async function measure(daemon: Daemon, id: string, flood: string, run: () => Promise<string>): Promise<void> {
  await settled(daemon);
  const memory = daemonMemory(daemon.pid);
  memory.resetPeak();
  const [base, logBefore] = [memory.rssMb(), logBytes(daemon.box.home)];
  guard.cut = false;
  const watch = setInterval(() => {
    if (memory.rssMb() > CEILING_MB) guard.cut = true;
  }, 100);
  const stop = probeHealth(`${daemon.base}/health`);
  let outcome: string;
  try {
    outcome = await run();
  } catch (error) {
    outcome = `broke: ${error instanceof Error ? error.message : String(error)}`;
  }
  const health = await stop();
  clearInterval(watch);
  if (guard.cut) outcome += `; cut short at ${fmt(CEILING_MB / 1024)} GB`;
  const row: Row = {
    id,
    flood,
    outcome,
    peakMb: memory.peakMb() - base,
    afterMb: memory.rssMb() - base,
    p50: percentile(health, 50),
    p99: percentile(health, 99),
    logBytes: logBytes(daemon.box.home) - logBefore,
  };
  rows.push(row);
  console.error(`  ${id}. ${flood}: ${outcome}; +${fmt(row.peakMb)} MB peak, /health p99 ${fmt(row.p99)} ms, log +${row.logBytes} B`);
}

/**
 * Waits until a client with the token gets in again (the sessions a flood left expire
 * first) and the daemon's RSS stops moving, so one flood's leftovers do not count in the next.
 */
async function settled(daemon: Daemon): Promise<void> {
  const memory = daemonMemory(daemon.pid);
  const deadline = performance.now() + 20_000;
  while ((await tryJoin(daemon.port, { token: daemon.token })) !== "connected" && performance.now() < deadline) await Bun.sleep(250);
  let last = memory.rssMb();
  while (performance.now() < deadline) {
    await Bun.sleep(500);
    const now = memory.rssMb();
    if (Math.abs(now - last) < 1) return;
    last = now;
  }
}

/** A `more` for `pool`: true until FLOOD_MS have passed or the daemon passed the ceiling. */
function withinFlood(): () => boolean {
  const started = performance.now();
  return () => !guard.cut && performance.now() - started < FLOOD_MS;
}

// ---------------------------------------------------------------- floods

async function handshakes(daemon: Daemon): Promise<string> {
  const tally = await bareHandshakes(daemon.base, 30_000, { concurrency: 64, deadlineMs: FLOOD_MS });
  const refused = Object.entries(tally.refused).map(([status, n]) => `${n} × ${status}`).join(", ") || "none";
  return `${tally.opened} opened, refused ${refused}, ${tally.failed} failed, in ${fmt(tally.ms / 1000)} s`;
}

async function slowReaders(daemon: Daemon, kind: "websocket" | "polling" | "none"): Promise<string> {
  const session = await createSession(daemon);
  const sender = await daemon.connect({ clientType: "session-scoped", sessionId: session.id });
  const healthy = await daemon.connect();
  const received = countNewMessages(healthy, session.id);
  const readers: StalledReader[] = [];
  if (kind === "websocket") {
    for (let i = 0; i < 20; i++) readers.push(await stalledWebSocket(daemon.port, { token: daemon.token }));
  }
  const pollers: string[] = [];
  if (kind === "polling") {
    for (let i = 0; i < 20; i++) pollers.push((await stalledPoller(daemon.base, { token: daemon.token })).sid);
  }
  const started = performance.now();
  const stored = await sendMegabytes(sender, session.id, 40, { inflight: 4, more: withinFlood() });
  const deadline = performance.now() + 30_000;
  while (received() < stored && performance.now() < deadline) await Bun.sleep(20);
  const took = performance.now() - started;
  let dropped = "";
  if (kind === "websocket") {
    const ends = await Promise.all(readers.map((reader) => reader.resume(2_000)));
    dropped = `, ${ends.filter((end) => end.closedByDaemon).length}/20 readers dropped by the daemon`;
    for (const reader of readers) reader.close();
  }
  if (kind === "polling") {
    const gone = await Promise.all(pollers.map((sid) => sessionGone(daemon.base, sid)));
    dropped = `, ${gone.filter(Boolean).length}/20 pollers dropped by the daemon`;
  }
  sender.close();
  healthy.close();
  return `${stored}/40 stored, healthy phone got ${received()}/${stored} in ${fmt(took / 1000)} s${dropped}`;
}

/** Counts outcomes by name and says them as `n × "outcome"`. */
function tally() {
  const counts = new Map<string, number>();
  return {
    add: (outcome: string) => void counts.set(outcome, (counts.get(outcome) ?? 0) + 1),
    toString: () => [...counts].map(([outcome, n]) => `${n} × "${outcome}"`).join(", "),
  };
}

async function refusedRpcs(daemon: Daemon): Promise<string> {
  const machines = (await daemon.api("/v1/machines")).body as Array<{ id: string }>;
  const method = `${machines[0]!.id}:spawn-remcli-session`;
  const phone = await daemon.connect();
  const answers = tally();
  const call = async () => {
    const params = Buffer.from(crypto.getRandomValues(new Uint8Array(256))).toString("base64");
    try {
      const answer = (await phone.timeout(30_000).emitWithAck("rpc-call", { method, params })) as { ok: boolean; error?: string };
      answers.add(answer.ok ? "ok (!)" : (answer.error ?? "error").slice(0, 60));
    } catch {
      answers.add("no answer in 30 s");
    }
  };
  const started = performance.now();
  const issued = await pool(1_500, 50, call, withinFlood());
  phone.close();
  return `${issued} calls in ${fmt((performance.now() - started) / 1000)} s: ${answers}`;
}

async function failedAuths(daemon: Daemon): Promise<string> {
  const outcomes = tally();
  const join = async () => outcomes.add((await tryJoin(daemon.port, { token: "0".repeat(128) })).slice(0, 60));
  const started = performance.now();
  const issued = await pool(1_500, 20, join, withinFlood());
  return `${issued} joins in ${fmt((performance.now() - started) / 1000)} s: ${outcomes}`;
}

/** The session for flood d, filled before its measurement starts. */
async function bigSession(daemon: Daemon): Promise<string> {
  const session = await createSession(daemon);
  const sender = await daemon.connect({ clientType: "session-scoped", sessionId: session.id });
  const started = performance.now();
  const stored = await sendMegabytes(sender, session.id, 1_000, { inflight: 8 });
  sender.close();
  console.error(`  d. filled ${stored} × 1 MB in ${fmt((performance.now() - started) / 1000)} s`);
  return session.id;
}

async function bigPages(daemon: Daemon, sid: string): Promise<string> {
  const abort = new AbortController();
  const cut = setInterval(() => guard.cut && abort.abort(), 50);
  const started = performance.now();
  const page = async () => {
    const response = await fetch(`${daemon.base}/v1/sessions/${sid}/messages?limit=1000`, {
      headers: { authorization: `Bearer ${daemon.token}` },
      signal: abort.signal,
    });
    let bytes = 0;
    for await (const chunk of response.body!) bytes += chunk.length; // counted, not kept
    return { status: response.status, bytes };
  };
  try {
    const pages = await Promise.all(Array.from({ length: 4 }, page));
    const sizes = pages.map((p) => `${p.status} ${fmt(p.bytes / 1e6)} MB`).join(", ");
    return `4 pages (${sizes}) in ${fmt((performance.now() - started) / 1000)} s`;
  } finally {
    clearInterval(cut);
  }
}

// ---------------------------------------------------------------- report

/** The slow-reader floods are judged by what they add to the control run of the same 40 MB. */
const JUDGED_AGAINST_CONTROL = new Set(["b", "b2"]);

function printTable(): void {
  const control = rows.find((r) => r.id === "b0");
  const cells = rows.map((r) => {
    const growth = control && JUDGED_AGAINST_CONTROL.has(r.id) ? r.peakMb - control.peakMb : r.peakMb;
    const misses = [
      r.id === "b0" ? "" : growth >= GOAL.growthMb ? "growth" : "",
      !(r.p99 < GOAL.healthP99Ms) ? "health" : "",
      r.logBytes >= GOAL.logBytes ? "log" : "",
    ].filter(Boolean);
    return [
      `${r.id}. ${r.flood}`,
      `+${fmt(r.peakMb)}`,
      `+${fmt(r.afterMb)}`,
      `${fmt(r.p50)} / ${fmt(r.p99)}`,
      r.logBytes.toLocaleString("en-US"),
      r.id === "b0" ? "control" : misses.length ? `not met (${misses.join(", ")})` : growth === r.peakMb ? "met" : `met (${fmt(growth)} MB beyond b0)`,
    ];
  });
  const header = ["flood", "RSS peak MB", "RSS after MB", "/health p50/p99 ms", "log bytes", "goals"];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((cell, i) => (i > 0 && i < 5 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join("  ").trimEnd();
  console.log("");
  console.log(`abuse benchmark (${navigator.hardwareConcurrency} cpus, bun ${Bun.version}); goals: growth < ${GOAL.growthMb} MB, /health p99 < ${GOAL.healthP99Ms} ms, log < ${GOAL.logBytes / 1024} KB`);
  console.log(line(header));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const c of cells) console.log(line(c));
  console.log("");
  for (const r of rows) console.log(`${r.id}. ${r.outcome}`);
}

const uptime = () => Bun.spawnSync(["uptime"]).stdout.toString().trim();

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  // The sandbox stops the daemon by pid on exit; a signal must reach that exit too.
  process.on(signal, () => process.exit(130));
}

console.error(`abuse benchmark, ${uptime()}`);
const daemon = await startDaemon();
console.error(`  daemon pid ${daemon.pid} in ${daemon.box.home}`);
const wanted = (id: string) => !only || only.has(id);
try {
  if (wanted("a")) await measure(daemon, "a", "30,000 bare handshakes", () => handshakes(daemon));
  if (wanted("b0")) await measure(daemon, "b0", "40 × 1 MB, no stalled reader (control)", () => slowReaders(daemon, "none"));
  if (wanted("b")) await measure(daemon, "b", "20 stalled WebSocket readers + 40 × 1 MB", () => slowReaders(daemon, "websocket"));
  if (wanted("b2")) await measure(daemon, "b2", "20 stalled pollers + 40 × 1 MB", () => slowReaders(daemon, "polling"));
  if (wanted("c")) await measure(daemon, "c", "1,500 refused machine RPCs", () => refusedRpcs(daemon));
  if (wanted("c2")) await measure(daemon, "c2", "1,500 failed socket auths", () => failedAuths(daemon));
  if (wanted("d")) {
    const sid = await bigSession(daemon);
    await measure(daemon, "d", "4 × history page of 1,000 × 1 MB", () => bigPages(daemon, sid));
  }
} finally {
  probe.terminate();
  await daemon[Symbol.asyncDispose]();
}
printTable();
console.log(`\n${uptime()} (the machine is shared: compare ratios from one sitting)`);
process.exit(0);
