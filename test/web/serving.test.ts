import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "bun:test";
import { startDaemon } from "../helpers/p2p.ts";
import { createSandbox, statusJson } from "../helpers/sandbox.ts";

const ROOT = join(import.meta.dir, "..", "..");

async function get(base: string, path: string, headers: Record<string, string> = {}) {
  // fetch would decompress by itself; ask for the raw bytes to see what the server sent.
  const response = await fetch(`${base}${path}`, { headers, decompress: false } as RequestInit);
  return { status: response.status, headers: response.headers, body: new Uint8Array(await response.arrayBuffer()) };
}

const text = (body: Uint8Array) => new TextDecoder().decode(body);

describe("serving the phone app", () => {
  test("index.html for /, the QR path and client routes; hashed assets cached for good, gzipped, revalidated by ETag", async () => {
    await using daemon = await startDaemon();
    for (const path of ["/", "/terminal/connect", "/s/abc/def", "/new/abc"]) {
      const page = await get(daemon.base, path);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(page.headers.get("cache-control")).toBe("no-cache");
      expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
      expect(page.headers.get("content-security-policy")).toContain(`connect-src 'self' ws://127.0.0.1:${daemon.port}`);
      expect(text(page.body)).toContain('<div id="app"></div>');
    }
    const html = text((await get(daemon.base, "/")).body);
    const script = html.match(/src="(\/assets\/main-[a-z0-9]+\.js)"/)![1]!;
    const style = html.match(/href="(\/assets\/main-[a-z0-9]+\.css)"/)![1]!;
    // Nothing is fetched from elsewhere: works offline, no CDN, no fonts.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);

    const plain = await get(daemon.base, script);
    const zipped = await get(daemon.base, script, { "accept-encoding": "gzip, br" });
    expect(plain.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(plain.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(zipped.headers.get("content-encoding")).toBe("gzip");
    expect(Bun.gunzipSync(zipped.body)).toEqual(plain.body);
    expect(zipped.body.length).toBeLessThan(150 * 1024);
    const etag = plain.headers.get("etag")!;
    expect((await get(daemon.base, script, { "if-none-match": etag })).status).toBe(304);
    expect((await get(daemon.base, style)).headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect((await get(daemon.base, "/manifest.webmanifest")).headers.get("content-type")).toBe("application/manifest+json");

    // A hashed file that is not there is a 404, never index.html parsed as a script.
    expect((await get(daemon.base, "/assets/main-doesnotexist.js")).status).toBe(404);
  });

  test("the API keeps its own answers: /v1 and /v2 are never served the app", async () => {
    await using daemon = await startDaemon();
    for (const path of ["/v1/sessions", "/v1/nothing-here", "/v2/sessions"]) {
      const answer = await get(daemon.base, path);
      expect(answer.status).toBe(401);
      expect(JSON.parse(text(answer.body))).toEqual({ error: expect.any(String) });
    }
    expect((await daemon.api("/v1/nothing-here")).status).toBe(404);
  });

  test("a compiled binary serves the app embedded by build.ts", async () => {
    const out = mkdtempSync(join(tmpdir(), "remcli-web-build-"));
    try {
      const built = Bun.spawnSync([process.execPath, join(ROOT, "build.ts"), "--outdir", out], { stdout: "pipe", stderr: "pipe" });
      expect(built.stderr.toString()).toBe("");
      expect(built.stdout.toString()).toMatch(/web app {2}\d+ files/);
      await using box = createSandbox();
      const run = (args: string[]) => Bun.spawnSync([join(out, "remcli"), ...args], { env: box.env, stdout: "pipe", stderr: "pipe" });
      expect(run(["daemon", "start", "--host", "127.0.0.1", "--no-qr"]).exitCode).toBe(0);
      const status = statusJson({ code: 0, stdout: run(["daemon", "status", "--json"]).stdout.toString(), stderr: "" });
      const base = `http://127.0.0.1:${status.p2pPort}`;
      const html = text((await get(base, "/terminal/connect")).body);
      const script = html.match(/src="(\/assets\/main-[a-z0-9]+\.js)"/)![1]!;
      const asset = await get(base, script, { "accept-encoding": "gzip" });
      expect(asset.status).toBe(200);
      expect(asset.headers.get("content-encoding")).toBe("gzip");
      expect(text(Bun.gunzipSync(asset.body))).toContain("remcli.pairings.v1");
      run(["daemon", "stop"]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
