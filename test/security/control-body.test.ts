import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CONTROL_BODY_LIMIT } from "../../src/protocol/control.ts";
import { signRequest } from "../../src/daemon/control/signing.ts";
import { peakGrowthDuring } from "../helpers/memory.ts";
import { createSandbox, statusJson, type Sandbox } from "../helpers/sandbox.ts";

// The control port on 127.0.0.1 refuses a body it would not accept before reading it:
// any local process can reach it, signed or not.

const MB = 1024 * 1024;
let box: Sandbox;
let port: number;
let pid: number;

beforeAll(async () => {
  box = createSandbox();
  expect((await box.cli(["daemon", "start", "--host", "127.0.0.1", "--no-qr"])).code).toBe(0);
  const status = statusJson(await box.cli(["daemon", "status", "--json"]));
  port = Number(status.controlPort);
  pid = status.pid;
});
afterAll(async () => {
  await box[Symbol.asyncDispose]();
});

/** A chunked body of `total` bytes in 1 MB chunks (no Content-Length), or one that never ends. */
function chunkedBody(total: number | "endless") {
  const chunk = new Uint8Array(MB).fill(0x61);
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (total === "endless" && sent > 0) return new Promise<void>(() => {});
      if (total !== "endless" && sent >= total) return controller.close();
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
  return { body, sent: () => sent };
}

/** POSTs to /status; the answer's status (or "closed" when the server hung up) and timings. */
async function post(body: ReadableStream<Uint8Array>, headers: Record<string, string> = {}) {
  const started = performance.now();
  try {
    const response = await fetch(`http://127.0.0.1:${port}/status`, { method: "POST", headers, body });
    await response.arrayBuffer();
    return { status: response.status as number | "closed", ms: Math.round(performance.now() - started) };
  } catch {
    return { status: "closed" as const, ms: Math.round(performance.now() - started) };
  }
}

describe("control port body", () => {
  test("a 100 MB chunked body is refused at the cap, fast, and the daemon's memory stays flat", async () => {
    const key = new Uint8Array(readFileSync(join(box.home, "control.key")));
    for (const signed of [false, true]) {
      // Headers as a signed request carries them: the cap holds whatever the signature says.
      const headers = signed ? signRequest(key, { method: "POST", path: "/status", body: "{}" }) : {};
      const upload = chunkedBody(100 * MB);
      let answer: Awaited<ReturnType<typeof post>> = { status: "closed", ms: 0 };
      const memory = await peakGrowthDuring(pid, async () => {
        answer = await post(upload.body, headers);
      });
      console.log(
        `control port, ${signed ? "signed headers" : "unsigned"}, 100 MB chunked: answered ${answer.status} after ${answer.ms} ms, ` +
          `${Math.round(upload.sent() / MB)} MB sent, daemon peak RSS +${memory.growthMb} MB`,
      );
      expect([401, 413, "closed"]).toContain(answer.status);
      expect(upload.sent()).toBeLessThan(50 * MB);
      expect(answer.ms).toBeLessThan(5_000);
      expect(memory.growthMb).toBeLessThan(20);
    }
    // Still serving afterwards.
    expect((await box.cli(["daemon", "status"])).code).toBe(0);
  });

  test("an unsigned request is refused from its headers, before its body has even ended", async () => {
    const upload = chunkedBody("endless");
    const answer = await post(upload.body);
    expect(answer.status).toBe(401);
    expect(upload.sent()).toBeLessThanOrEqual(CONTROL_BODY_LIMIT * 16);
    expect(readFileSync(join(box.home, "logs", "daemon.log"), "utf8")).toContain("why=\"missing signature\"");
    console.log(`control port: an endless unsigned body refused with 401 after ${answer.ms} ms`);
  });
});
