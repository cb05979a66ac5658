#!/usr/bin/env bun
/**
 * One row per agent, each through the whole path: phone socket → daemon (stored) →
 * session process → the agent → session → daemon (stored) → phone socket.
 *
 * - first turn: the phone's first message to the agent's first answer, sent as soon as
 *   the session is ready (as the app may; --think ms later, as a user would). The
 *   daemon has served one session's turn before (it is warm, as one that runs for days).
 * - phone message → first agent message (p50 / p99) of the later turns: the time until
 *   the phone has the agent's answer to a message, turns one at a time, each waiting for
 *   the session's "ready" event before the next. For Claude Code the first agent record
 *   counts (as before); for an ACP agent its reply text (not the turn-start marker before it).
 * - spawn → ready: from the spawn RPC until the session is ready for a message (its
 *   agent state written, which the app waits for, and an ACP agent's session open).
 * - idle RSS: the session process alone (our wrapper), and it with every process under
 *   it (the agent), after the turns.
 *
 * Rows: the fake `claude` and the fake ACP agent as Gemini CLI, Codex and opencode
 * (they answer at once: the numbers are ours), then the real Claude Code (the copy in
 * node_modules, or REMCLI_REAL_CLAUDE) against a local fake of the Messages API, and
 * each real ACP CLI that is on PATH against a local fake of its model API (the numbers
 * include the real agent). Target for the fake rows: p99 < 50 ms.
 *
 *   bun bench/agent.ts [--turns 300] [--real-turns 20] [--only gemini] [--binary dist/remcli]
 *
 * With --binary the daemon and its sessions are that compiled remcli, else from source.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fakeAcpAgent, type AcpStyle } from "../test/helpers/acp.ts";
import { fakeClaude, phoneSession } from "../test/helpers/agent.ts";
import type { Socket } from "socket.io-client";
import { startDaemon, type Daemon } from "../test/helpers/p2p.ts";
import { REAL_AGENTS, REAL_CLAUDE, realAgentEnv } from "../test/helpers/real-agents.ts";
import { eventually } from "../test/helpers/sandbox.ts";
import { childRows, machineRpc } from "../test/helpers/sessions.ts";

const { values } = parseArgs({
  options: {
    turns: { type: "string", default: "300" },
    "real-turns": { type: "string", default: "20" },
    only: { type: "string" },
    binary: { type: "string" },
    think: { type: "string", default: "0" },
  },
});
const WARMUP = 20;
const TARGET_P99_MS = 50;

type Row = { label: string; agent: "claude" | AcpStyle; env: Record<string, string>; turns: number; warmup: number; target: boolean; cleanup: () => void };
type Plain = { role?: string; content?: { type?: string; data?: { type?: string } } };

const percentile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

const rssMiB = (pid: number) => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;

/** RSS in MiB of `pid` and every process below it (from /proc). */
function treeRssMiB(pid: number): number {
  const parents = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(name)]);
    } catch {
      // Gone while we looked.
    }
  }
  let kib = 0;
  const visit = (p: number) => {
    try {
      kib += Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${p}/status`, "utf8"))?.[1] ?? 0);
    } catch {
      // Gone.
    }
    for (const child of parents.get(p) ?? []) visit(child);
  };
  visit(pid);
  return kib / 1024;
}

type Waiter = { kind: "answer" | "ready"; resolve: () => void };

/** A session spawned as the phone does it, ready for a message, and how to time its turns. */
async function benchSession(daemon: Daemon, phone: Socket, row: Row, name: string) {
  const directory = join(daemon.box.home, "work", name);
  mkdirSync(directory, { recursive: true });
  const spawnedAt = performance.now();
  const spawned = await machineRpc(daemon, phone, "spawn-remcli-session", { type: "spawn-in-directory", directory, agent: row.agent });
  if (spawned.type !== "success") throw new Error(`${row.label}: spawn failed: ${JSON.stringify(spawned)}`);
  const sessionId: string = spawned.sessionId;
  const session = await phoneSession(daemon, phone, sessionId);
  await eventually(
    "the session to be ready",
    async () => {
      const { version, metadata } = await session.state();
      return version > 0 && (row.agent === "claude" || metadata.agentSessionId) ? true : undefined;
    },
    120_000,
  );
  const readyMs = performance.now() - spawnedAt;

  // Both waits are set before the message goes: the answer and "ready" may arrive in one batch.
  const waiters: Waiter[] = [];
  phone.on("update", (update: { body?: { t?: string; sid?: string; message?: { content?: { c?: string } } } }) => {
    const body = update.body;
    if (body?.t !== "new-message" || body.sid !== sessionId || waiters.length === 0) return;
    const plain = session.cipher.decrypt(body.message?.content?.c ?? "") as Plain | null;
    if (plain?.role !== "agent") return;
    const isReady = plain.content?.type === "event" && plain.content.data?.type === "ready";
    const isAnswer = plain.content?.type === "acp" ? plain.content.data?.type === "message" : plain.content?.type === "output";
    const waiting = waiters[0]!;
    if ((waiting.kind === "answer" && isAnswer) || (waiting.kind === "ready" && isReady)) {
      waiters.shift();
      waiting.resolve();
    }
  });
  const next = (kind: Waiter["kind"]) => new Promise<void>((resolve) => waiters.push({ kind, resolve }));
  /** One phone message: the time to the agent's first answer; returns once the session is ready again. */
  const turn = async (text: string) => {
    const answered = next("answer");
    const readyAgain = next("ready");
    const started = performance.now();
    void session.send(text);
    await answered;
    const ms = performance.now() - started;
    await readyAgain;
    return ms;
  };
  return { sessionId, session, readyMs, turn };
}

async function measure(row: Row) {
  await using daemon = await startDaemon(row.env, { binary: values.binary });
  const phone = await daemon.connect();
  // A daemon runs for days: one session's turn first, so the row's first turn is the
  // session's and the agent's own, not the fresh daemon's first message ever.
  const warmup = await benchSession(daemon, phone, row, "warm-daemon");
  await warmup.turn("warm up the daemon");
  await warmup.session.rpc("killSession", {});

  const { sessionId, readyMs, turn } = await benchSession(daemon, phone, row, "bench");
  await Bun.sleep(Number(values.think));
  const firstMs = await turn("turn 0");
  const samples: number[] = [];
  for (let n = 1; n <= row.warmup + row.turns; n++) {
    const ms = await turn(`turn ${n}`);
    if (n > row.warmup) samples.push(ms);
  }
  await Bun.sleep(2_000);
  const pid = childRows(daemon.box).find((r) => r.sessionId === sessionId)!.pid;
  samples.sort((a, b) => a - b);
  return { readyMs, firstMs, p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), rss: rssMiB(pid), treeRss: treeRssMiB(pid) };
}

function rows(): Row[] {
  const turns = Number(values.turns);
  const realTurns = Number(values["real-turns"]);
  const claude = fakeClaude();
  const all: Row[] = [{ label: "claude (fake)", agent: "claude", env: claude.env, turns, warmup: WARMUP, target: true, cleanup: () => claude[Symbol.dispose]() }];
  for (const style of ["gemini", "codex", "opencode"] as const) {
    const fake = fakeAcpAgent(style);
    all.push({ label: `${style} (fake ACP agent)`, agent: style, env: fake.env, turns, warmup: WARMUP, target: true, cleanup: () => fake[Symbol.dispose]() });
  }
  {
    const home = mkdtempSync(join(tmpdir(), "remcli-bench-claude-"));
    const api = REAL_CLAUDE.fakeApi();
    const env = REAL_CLAUDE.env(home, api);
    const cleanup = () => {
      api.stop();
      rmSync(home, { recursive: true, force: true });
    };
    if (env) all.push({ label: "claude (real, fake model API)", agent: "claude", env, turns: realTurns, warmup: 2, target: false, cleanup });
    else {
      console.log("claude (real): skipped, no Claude Code in node_modules, REMCLI_REAL_CLAUDE or PATH");
      cleanup();
    }
  }
  for (const real of REAL_AGENTS) {
    const home = mkdtempSync(join(tmpdir(), `remcli-bench-${real.agent}-`));
    const api = real.fakeApi();
    const env = realAgentEnv(real, home, api);
    const cleanup = () => {
      api.stop();
      rmSync(home, { recursive: true, force: true });
    };
    if (!env) {
      console.log(`${real.agent} (real): skipped, ${real.found.ok ? "" : real.found.reason}`);
      cleanup();
      continue;
    }
    all.push({ label: `${real.agent} (real, fake model API)`, agent: real.agent, env, turns: realTurns, warmup: 2, target: false, cleanup });
  }
  return all.filter((row) => !values.only || row.label.startsWith(values.only));
}

const ms = (n: number) => `${n.toFixed(1)} ms`.padStart(10);
console.log(`load: ${readFileSync("/proc/loadavg", "utf8").trim()} (a shared machine: compare rows of one run)`);
console.log(`${values.binary ? `compiled: ${values.binary}` : "from source"}; first message ${values.think} ms after ready`);
console.log(`${"agent".padEnd(34)}${"turns".padStart(6)}${"first".padStart(10)}${"msg p50".padStart(10)}${"msg p99".padStart(10)}${"spawn→ready".padStart(13)}${"session RSS".padStart(13)}${"tree RSS".padStart(10)}`);
let failed = false;
for (const row of rows()) {
  try {
    const r = await measure(row);
    const verdict = row.target ? (r.p99 < TARGET_P99_MS ? "" : `  FAIL (p99 ≥ ${TARGET_P99_MS} ms)`) : "";
    if (verdict) failed = true;
    const mib = (n: number, width: number) => `${n.toFixed(0)} MiB`.padStart(width);
    console.log(`${row.label.padEnd(34)}${String(row.turns).padStart(6)}${ms(r.firstMs)}${ms(r.p50)}${ms(r.p99)}${`${(r.readyMs / 1000).toFixed(2)} s`.padStart(13)}${mib(r.rss, 13)}${mib(r.treeRss, 10)}${verdict}`);
  } finally {
    row.cleanup();
  }
}
console.log(`target for the fake rows: message p99 < ${TARGET_P99_MS} ms: ${failed ? "FAIL" : "PASS"}`);
process.exitCode = failed ? 1 : 0;
