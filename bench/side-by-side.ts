#!/usr/bin/env bun
/**
 * The reference P2P server and ours, side by side in one sitting, through the shared
 * wire-protocol load generator (`../shared/bench/load.mjs`). Rounds alternate: reference,
 * ours, reference, ours… and each scenario runs in a load generator of its own, so the
 * CPU time of the server and of the load generator can be read per scenario:
 *
 *   a  RSS with 1,000 idle user-scoped sockets     b  1 KB messages, 64 in flight
 *   c  fan-out 1 → 10 at 500/s                     d  latest page of a 10,001-message session
 *   e  kill -9 after 1,000 confirmed, restart      f  RPC round trip
 *   lean-b  b again from bench/lean-load.ts, a client that costs a fifth of load.mjs per message
 *
 * b, c, d and f run twice on the same server and the second run counts: a daemon runs for
 * days, and the first thousands of messages also pay for the JIT compiling the hot path
 * (a quarter of our daemon's CPU in a cold 30,000-message run, on the JIT's own thread,
 * which competes with the load generator for the second core). a and e start cold.
 *
 * Prints the median of each side over the rounds, the ratio and the issue's goal. CPU per
 * message (server and load generator) is printed as well: on two cores the load generator
 * is one Node thread, and once it is busy all the time a faster server cannot show it.
 *
 * Setup once (see ../shared/bench/README.md):
 *   (cd ../shared/bench && npm install)
 *   MIRROR=<bare clone of spetrosyan94/remcli> RUN=/tmp/anchor-run ../shared/bench/anchor/setup.sh
 * Run:
 *   bun bench/side-by-side.ts [--rounds 2] [--harness ../shared/bench] [--anchor /tmp/anchor-run] [--cold]
 *   (--cold: no warm-up run)
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { p2pAuthToken } from "../src/crypto/p2p-token.ts";
import { processCpuMs } from "./process-cpu.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "2" },
    harness: { type: "string" },
    anchor: { type: "string", default: "/tmp/anchor-run" },
    "print-ready": { type: "boolean", default: false },
    cold: { type: "boolean", default: false },
  },
});
const root = join(import.meta.dir, "..");
const cli = [process.execPath, join(root, "src", "main.ts")];

// ---------------------------------------------------------------- our daemon

type Server = { port: number; token: string; pid: number; restartCmd: string; stop(): void };

function runCli(args: string[], env: Record<string, string>): string {
  const result = Bun.spawnSync([...cli, ...args], { env, stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`remcli ${args.join(" ")}: ${result.stderr.toString().slice(-500)}`);
  return result.stdout.toString();
}

/** Starts our daemon in REMCLI_HOME (a background daemon, as a user starts it) and reads its address. */
function startOurs(env: Record<string, string>): { port: number; token: string; pid: number } {
  runCli(["daemon", "start", "--host", "127.0.0.1", "--no-qr"], env);
  const status = JSON.parse(runCli(["daemon", "status", "--json"], env)) as { pid: number; p2pPort: number };
  const token = p2pAuthToken(new Uint8Array(readFileSync(join(env.REMCLI_HOME!, "p2p.secret"))));
  return { port: status.p2pPort, token, pid: status.pid };
}

// load.mjs restarts the server after its kill -9 with a shell command that prints READY.
if (values["print-ready"]) {
  const { port, token, pid } = startOurs(process.env as Record<string, string>);
  console.log(`READY ${port} ${token} ${pid}`);
  process.exit(0);
}

function ours(): Server {
  const home = mkdtempSync(join(tmpdir(), "remcli-side-by-side-"));
  const env = { ...(process.env as Record<string, string>), REMCLI_HOME: home };
  const started = startOurs(env);
  const restartCmd = `REMCLI_HOME=${home} ${process.execPath} ${join(import.meta.dir, "side-by-side.ts")} --print-ready`;
  return {
    ...started,
    restartCmd,
    stop() {
      Bun.spawnSync([...cli, "daemon", "stop"], { env, stdout: "ignore", stderr: "ignore" });
      rmSync(home, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------- the reference

async function reference(run: string): Promise<Server> {
  const start = `cd ${run} && exec node --import tsx start-anchor.ts --port 0`;
  const child = Bun.spawn(["bash", "-c", start], { stdout: "pipe", stderr: "inherit" });
  const reader = child.stdout.getReader();
  let text = "";
  const deadline = performance.now() + 30_000;
  while (!/READY \d+ \S+ \d+/.test(text) && performance.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  const ready = /READY (\d+) (\S+) (\d+)/.exec(text);
  if (!ready) throw new Error(`the reference did not start: ${text}`);
  reader.releaseLock();
  const pid = Number(ready[3]);
  return {
    port: Number(ready[1]),
    token: ready[2]!,
    pid,
    restartCmd: start,
    stop() {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // Already gone (scenario e kills it and load.mjs stops the restarted one).
      }
      child.kill();
    },
  };
}

// ---------------------------------------------------------------- one scenario

const cpuMs = (pid: number): number | null => processCpuMs(pid)?.total ?? null;

type Result = Record<string, unknown> & { serverCpuMs: number | null; loadCpuMs: number };

/** CPU time of a load generator that starts (Node, socket.io-client) and runs no scenario. */
let loadStartCpuMs = 0;

/** The command of scenario `name`: load.mjs, or for "lean-b" our lean client (bench/lean-load.ts). */
function commandOf(loadMjs: string, server: Server, name: string, extra: string[]): string[] {
  const target = ["--url", `http://127.0.0.1:${server.port}`, "--token", server.token];
  if (name === "lean-b") return [process.execPath, join(import.meta.dir, "lean-load.ts"), ...target, ...extra];
  return ["node", loadMjs, ...target, "--pid", String(server.pid), "--scenarios", name, "--restart-cmd", server.restartCmd, ...extra];
}

async function scenario(loadMjs: string, server: Server, name: string, extra: string[] = []): Promise<Result> {
  const before = cpuMs(server.pid);
  const child = Bun.spawn(commandOf(loadMjs, server, name, extra), { stdout: "pipe", stderr: "ignore" });
  const output = await new Response(child.stdout).text();
  await child.exited;
  const after = cpuMs(server.pid);
  const usage = child.resourceUsage();
  const loadCpuMs = usage ? Math.max(0, Number(usage.cpuTime.user + usage.cpuTime.system) / 1000 - loadStartCpuMs) : 0;
  const line = output.split("\n").find((l) => l.startsWith("{"));
  const parsed = line ? (JSON.parse(line) as Record<string, unknown>) : { error: "no result line" };
  return { ...parsed, serverCpuMs: before !== null && after !== null ? after - before : null, loadCpuMs };
}

// ---------------------------------------------------------------- the table

type Side = "ref" | "ours";
type Row = { measure: string; unit: string; better: "lower" | "higher"; goal?: number; pick(r: Record<string, Result>): number | null };
const get = (value: unknown, ...path: string[]): number | null => {
  let at: unknown = value;
  for (const key of path) at = at && typeof at === "object" ? (at as Record<string, unknown>)[key] : undefined;
  return typeof at === "number" ? at : null;
};
const perMessage = (ms: number | null, r: Result) => (ms === null || !get(r, "completed") ? null : (ms * 1000) / get(r, "completed")!);

const ROWS: Row[] = [
  { measure: "throughput, 1 KB, 64 in flight", unit: "msg/s", better: "higher", goal: 1.5, pick: (r) => get(r.b, "msgPerS") },
  { measure: "ack (ours) / delivery (ref) p99", unit: "ms", better: "lower", goal: 0.5, pick: (r) => get(r.b, "ack", "p99ms") ?? get(r.b, "delivery", "p99ms") },
  { measure: "fan-out 1 → 10 at 500/s, p99", unit: "ms", better: "lower", goal: 0.5, pick: (r) => get(r.c, "e2e", "p99ms") },
  { measure: "history, latest 150 of 10,001, p99", unit: "ms", better: "lower", goal: 0.5, pick: (r) => get(r.d, "p99ms") },
  { measure: "RSS with 1,000 sockets", unit: "MB", better: "lower", goal: 0.5, pick: (r) => get(r.a, "rssAfterMB") },
  { measure: "throughput, lean client (bench/lean-load.ts)", unit: "msg/s", better: "higher", goal: 1.5, pick: (r) => get(r["lean-b"], "msgPerS") },
  { measure: "ack (ours) / delivery (ref) p99, lean client", unit: "ms", better: "lower", goal: 0.5, pick: (r) => get(r["lean-b"], "ack", "p99ms") ?? get(r["lean-b"], "delivery", "p99ms") },
  { measure: "server CPU per message, lean client", unit: "µs", better: "lower", pick: (r) => perMessage(r["lean-b"]!.serverCpuMs, r["lean-b"]!) },
  { measure: "server CPU per message (b)", unit: "µs", better: "lower", pick: (r) => perMessage(r.b!.serverCpuMs, r.b!) },
  { measure: "load generator CPU per message (b), its start left out", unit: "µs", better: "lower", pick: (r) => perMessage(r.b!.loadCpuMs, r.b!) },
  { measure: "messages lost of 1,000 confirmed, kill -9", unit: "", better: "lower", pick: (r) => get(r.e, "lost") },
];

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const fmt = (x: number | null) =>
  x === null ? "—" : x >= 100 || Number.isInteger(x) ? Math.round(x).toLocaleString("en") : x.toFixed(x >= 10 ? 1 : 2);

function printTable(runs: Record<Side, Array<Record<string, Result>>>): void {
  console.log("\n| measure | reference | ours | ours / ref | goal |\n| --- | --- | --- | --- | --- |");
  for (const row of ROWS) {
    const side = (s: Side) => runs[s].map(row.pick).filter((x): x is number => x !== null);
    const [ref, us] = [median(side("ref")), median(side("ours"))];
    const ratio = ref && us !== null ? us / ref : null;
    const goal = row.goal === undefined ? "" : `${row.better === "higher" ? "≥" : "≤"} ${row.goal}× ${ratio === null ? "" : (row.better === "higher" ? ratio >= row.goal : ratio <= row.goal) ? "met" : "not met"}`;
    const all = (s: Side) => side(s).map(fmt).join(" / ") || "—";
    console.log(`| ${row.measure} | ${all("ref")} ${row.unit} | ${all("ours")} ${row.unit} | ${ratio === null ? "—" : `${ratio.toFixed(2)}×`} | ${goal} |`);
  }
  const rpc = runs.ours.map((r) => r.f).find((f) => f && get(f, "bad"));
  if (rpc) console.log("\nf (RPC): ours refuses the registration of a session socket without the owner proof, by design; bench/p2p.ts measures RPC with the proof.");
}

// ---------------------------------------------------------------- main

const harness = resolve(values.harness ?? join(root, "..", "shared", "bench"));
const loadMjs = join(harness, "load.mjs");
if (!existsSync(join(harness, "node_modules", "socket.io-client")) || !existsSync(join(values.anchor!, "start-anchor.ts"))) {
  console.error(`side-by-side: needs ${loadMjs} with its node_modules and the reference built in ${values.anchor}; see the header of this file`);
  process.exit(2);
}
const WARMED = new Set(["b", "lean-b", "c", "d", "f"]);
{
  // An unknown scenario name: load.mjs starts, prints an error line for it and exits.
  const server = await reference(values.anchor!);
  try {
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) starts.push((await scenario(loadMjs, server, "none")).loadCpuMs);
    loadStartCpuMs = Math.min(...starts);
  } finally {
    server.stop();
  }
  console.error(`load generator start alone: ${Math.round(loadStartCpuMs)} ms CPU (left out of its CPU per message)`);
}
const runs: Record<Side, Array<Record<string, Result>>> = { ref: [], ours: [] };
for (let round = 1; round <= Number(values.rounds); round++) {
  for (const side of ["ref", "ours"] as const) {
    const results: Record<string, Result> = {};
    for (const name of ["a", "b", "lean-b", "c", "d", "f", "e"]) {
      // A fresh server per scenario, as load.mjs's sockets of one scenario would weigh on the next.
      const server = side === "ref" ? await reference(values.anchor!) : ours();
      try {
        const extra = name === "a" ? ["--n-list", "1000"] : [];
        if (!values.cold && WARMED.has(name)) await scenario(loadMjs, server, name, extra);
        results[name] = await scenario(loadMjs, server, name, extra);
      } finally {
        server.stop();
      }
    }
    runs[side].push(results);
    console.error(`round ${round} ${side}: ${fmt(get(results.b, "msgPerS"))} msg/s`);
  }
}
printTable(runs);
