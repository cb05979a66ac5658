import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { connect as tcpConnect, type Socket as TcpSocket } from "node:net";
import { join } from "node:path";
import type { Socket } from "socket.io-client";

/**
 * Raw clients an attacker on the LAN would write, for test/security and bench/abuse.ts:
 * bare engine.io handshakes, WebSocket readers that stop reading, polling clients that
 * never poll again, and the daemon's memory and log as seen from outside.
 */

const HANDSHAKE = "/v1/updates/?EIO=4&transport=polling";

export type HandshakeTally = { opened: number; refused: Record<number, number>; failed: number; ms: number; sids: string[] };

/** `count` bare engine.io handshakes (no sid, no auth), `concurrency` at a time, until done or `deadlineMs`. */
export async function bareHandshakes(base: string, count: number, { concurrency = 64, deadlineMs = 60_000 } = {}): Promise<HandshakeTally> {
  const tally: HandshakeTally = { opened: 0, refused: {}, failed: 0, ms: 0, sids: [] };
  const started = performance.now();
  const handshake = async () => {
    try {
      const response = await fetch(`${base}${HANDSHAKE}`);
      const body = await response.text();
      if (response.status === 200) {
        tally.opened++;
        tally.sids.push(/"sid":"([^"]+)"/.exec(body)?.[1] ?? "");
      } else {
        tally.refused[response.status] = (tally.refused[response.status] ?? 0) + 1;
      }
    } catch {
      tally.failed++;
    }
  };
  await pool(count, concurrency, handshake, () => performance.now() - started < deadlineMs);
  tally.ms = performance.now() - started;
  return tally;
}

/**
 * `count` bare handshakes pipelined on one TCP connection from `localAddress` (Linux
 * routes all of 127.0.0.0/8 to loopback, so each is another remote address to the
 * daemon). Returns each answer's HTTP status, and the sids of the sessions opened.
 */
export function handshakesFrom(port: number, localAddress: string, count: number): Promise<{ statuses: number[]; sids: string[] }> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: "127.0.0.1", port, localAddress });
    let seen = "";
    const timer = setTimeout(() => finish(new Error(`handshakes from ${localAddress}: no answer to all ${count}`)), 10_000);
    const finish = (error?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      const statuses = [...seen.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
      const sids = [...seen.matchAll(/0\{"sid":"([^"]+)"/g)].map((m) => m[1]!);
      if (error) reject(error);
      else resolve({ statuses, sids });
    };
    socket.on("error", (error) => finish(error));
    socket.on("connect", () => socket.write(`GET ${HANDSHAKE} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`.repeat(count)));
    socket.on("data", (chunk: Buffer) => {
      seen += chunk.toString("latin1");
      if ((seen.match(/HTTP\/1\.1 \d{3}/g)?.length ?? 0) >= count) finish();
    });
  });
}

/** One client frame (text, masked, as RFC 6455 §5.3 requires of a client). */
function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text, "utf8");
  const header =
    payload.length < 126
      ? Buffer.from([0x81, 0x80 | payload.length])
      : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  const mask = Buffer.from(crypto.getRandomValues(new Uint8Array(4)));
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([header, mask, masked]);
}

export type StalledReader = {
  /**
   * Reads again, until the daemon closes the connection, `ms` pass, or `until` holds for
   * the text read since the join (kept only when `until` is given); says which, and how much came.
   */
  resume(ms: number, until?: (text: string) => boolean): Promise<{ closedByDaemon: boolean; bytes: number; text: string }>;
  close(): void;
};

/**
 * A WebSocket client on a plain TCP socket that joins "/" with `auth` and then stops
 * reading: the kernel's buffers fill and everything else the daemon sends it queues there.
 */
export function stalledWebSocket(
  port: number,
  auth: Record<string, unknown>,
  { localAddress, timeoutMs = 10_000 }: { localAddress?: string; timeoutMs?: number } = {},
): Promise<StalledReader> {
  return new Promise((resolve, reject) => {
    const socket: TcpSocket = tcpConnect({ host: "127.0.0.1", port, localAddress });
    let seen = "";
    let bytes = 0;
    let ended = false;
    const timer = setTimeout(() => fail(new Error(`stalled reader: no socket.io connect within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    socket.on("error", (error) => fail(error));
    socket.on("close", () => (ended = true));
    socket.on("connect", () => {
      const key = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
      socket.write(
        `GET /v1/updates/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    let joining = false;
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      seen += chunk.toString("latin1");
      if (!joining) {
        if (!seen.includes('0{"sid"')) return;
        joining = true;
        seen = "";
        socket.write(maskedTextFrame(`40${JSON.stringify(auth)}`));
        return;
      }
      if (seen.includes("44{")) return fail(new Error(`stalled reader refused: ${seen.slice(seen.indexOf("44{"), seen.indexOf("44{") + 200)}`));
      if (!seen.includes('40{"sid"')) return;
      clearTimeout(timer);
      socket.off("data", onData);
      socket.pause();
      resolve({
        close: () => socket.destroy(),
        resume: (ms, until) =>
          new Promise((done) => {
            let text = until ? seen : "";
            const finish = () => {
              clearTimeout(wait);
              done({ closedByDaemon: ended, bytes, text });
            };
            const wait = setTimeout(finish, ms);
            if (ended || until?.(text)) return finish();
            socket.on("data", (more: Buffer) => {
              bytes += more.length;
              if (!until) return;
              text += more.toString("latin1");
              if (until(text)) finish();
            });
            socket.once("close", finish);
            socket.resume();
          }),
      });
    };
    socket.on("data", onData);
  });
}

/**
 * A polling client that joins "/" with `auth`, reads the connect answer, and never polls
 * again: engine.io then keeps every packet for it until it comes back or times out.
 */
export async function stalledPoller(base: string, auth: Record<string, unknown>): Promise<{ sid: string }> {
  const open = await (await fetch(`${base}${HANDSHAKE}`)).text();
  const sid = (JSON.parse(open.slice(1)) as { sid: string }).sid;
  const at = `${base}${HANDSHAKE}&sid=${sid}`;
  const posted = await fetch(at, { method: "POST", body: `40${JSON.stringify(auth)}` });
  await posted.arrayBuffer();
  const answer = await (await fetch(at)).text();
  if (!answer.includes('40{"sid"')) throw new Error(`stalled poller refused: ${answer.slice(0, 200)}`);
  return { sid };
}

/**
 * True when the daemon no longer knows engine.io session `sid`. Asks with a POST of a
 * pong, which a live session takes without effect (a GET would be a poll, and
 * giving up on it would close the session).
 */
export async function sessionGone(base: string, sid: string): Promise<boolean> {
  const response = await fetch(`${base}${HANDSHAKE}&sid=${sid}`, { method: "POST", body: "3" });
  const body = await response.text();
  return response.status === 400 && body.includes("Session ID unknown");
}

/**
 * A WebSocket client that asks to join "/" with `auth` and reports the first answer:
 * "connected", or the refusal's message. Closes its connection either way.
 */
export function tryJoin(port: number, auth: Record<string, unknown>, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/updates/?EIO=4&transport=websocket`);
    const done = (outcome: string) => {
      clearTimeout(timer);
      ws.close();
      resolve(outcome);
    };
    const timer = setTimeout(() => done("timeout"), timeoutMs);
    ws.onmessage = (event) => {
      const frame = String(event.data);
      if (frame.startsWith("0{")) return ws.send(`40${JSON.stringify(auth)}`);
      if (frame.startsWith("40")) return done("connected");
      if (frame.startsWith("44")) return done((JSON.parse(frame.slice(2)) as { message: string }).message);
    };
    ws.onerror = () => done("error");
    ws.onclose = () => done("closed");
  });
}

const MB_BODY = Buffer.from(crypto.getRandomValues(new Uint8Array(750_000))).toString("base64");

/**
 * 1,000,000 base64 characters, a message just under the default 1 MiB limit, different
 * each time: the daemon refuses a ciphertext it has stored before.
 */
export function megabyteMessage(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64") + MB_BODY.slice(24);
}

/**
 * Sends `count` acked 1 MB messages into `sid`, `inflight` at a time, while `more()` says
 * so; returns how many were stored.
 */
export async function sendMegabytes(
  sender: Socket,
  sid: string,
  count: number,
  { inflight = 1, more = (): boolean => true } = {},
): Promise<number> {
  let stored = 0;
  const send = async () => {
    const ack = (await sender.timeout(30_000).emitWithAck("message", { sid, message: megabyteMessage(), localId: crypto.randomUUID() })) as { ok: boolean };
    if (ack.ok) stored++;
  };
  await pool(count, inflight, send, more);
  return stored;
}

/** How many `new-message` updates of session `sid` the socket has had so far. */
export function countNewMessages(socket: Socket, sid: string): () => number {
  let seen = 0;
  socket.on("update", (update: { body?: { t?: string; sid?: string } }) => {
    if (update.body?.t === "new-message" && update.body.sid === sid) seen++;
  });
  return () => seen;
}

/** The daemon's memory as the kernel counts it (/proc/<pid>/status), in MB. */
export function daemonMemory(pid: number) {
  const field = (name: "VmRSS" | "VmHWM") => {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, "m").exec(status)?.[1]) / 1024;
  };
  return {
    rssMb: () => field("VmRSS"),
    /** Highest RSS since the last `resetPeak` (proc(5): writing 5 to clear_refs resets VmHWM). */
    peakMb: () => field("VmHWM"),
    resetPeak: () => writeFileSync(`/proc/${pid}/clear_refs`, "5"),
  };
}

/** Bytes of every daemon log file in `home` (the current one and any rotated ones). */
export function logBytes(home: string): number {
  const dir = join(home, "logs");
  return readdirSync(dir)
    .filter((name) => name.startsWith("daemon.log"))
    .reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

/** Runs `task(i)` for each i < count, `concurrency` at a time, while `more()` says so; returns how many ran. */
export async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>, more = () => true): Promise<number> {
  let issued = 0;
  const worker = async () => {
    while (issued < count && more()) await task(issued++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return issued;
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * GETs /health one after another while `work` runs, and returns the latencies with
 * the work's result. Runs in this process: good enough for a test's printed figure;
 * bench/abuse.ts measures from a worker thread instead.
 */
export async function healthDuring<T>(base: string, work: () => Promise<T>): Promise<{ result: T; p50: number; p99: number; max: number }> {
  const samples: number[] = [];
  let running = true;
  const probe = (async () => {
    while (running) {
      const at = performance.now();
      await (await fetch(`${base}/health`)).arrayBuffer();
      samples.push(performance.now() - at);
      await Bun.sleep(5);
    }
  })();
  try {
    const result = await work();
    return { result, p50: percentile(samples, 50), p99: percentile(samples, 99), max: Math.max(...samples) };
  } finally {
    running = false;
    await probe;
  }
}
