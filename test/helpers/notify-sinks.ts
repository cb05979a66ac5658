import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** An ntfy server on loopback: it takes JSON publishes at its root (ntfy's "publish as JSON") and keeps them. */
export function startNtfy() {
  const published: Array<{ authorization: string | null; body: any }> = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      if (request.method !== "POST" || new URL(request.url).pathname !== "/") return new Response("not found", { status: 404 });
      published.push({ authorization: request.headers.get("authorization"), body: await request.json() });
      return Response.json({ id: crypto.randomUUID(), event: "message" });
    },
  });
  return {
    topicUrl: (topic: string) => `http://127.0.0.1:${server.port}/${topic}`,
    published,
    [Symbol.dispose]: () => server.stop(true),
  };
}

export type HookRun = { env: Record<string, string>; stdin: any };

/**
 * A user's notify program: a shell script that writes the REMCLI_* variables it was
 * given and what came on stdin into a folder, one pair of files per run.
 */
export function hookProgram(body = "") {
  const dir = mkdtempSync(join(tmpdir(), "remcli-hook-"));
  const path = join(dir, "notify-hook");
  writeFileSync(
    path,
    // stdin goes to a temp file renamed when complete: a reader never sees a half-written run.
    `#!/bin/sh\nrun="${dir}/run-$(date +%s%N)"\nenv | grep '^REMCLI_' > "$run.env"\ncat > "$run.part" && mv "$run.part" "$run.json"\n${body}\n`,
  );
  chmodSync(path, 0o755);
  return {
    path,
    dir,
    runs(): HookRun[] {
      return readdirSync(dir)
        .filter((name) => name.endsWith(".json"))
        .sort()
        .map((name) => {
          const base = join(dir, name.slice(0, -".json".length));
          const env = Object.fromEntries(
            readFileSync(`${base}.env`, "utf8").split("\n").filter(Boolean).map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
          );
          const text = readFileSync(`${base}.json`, "utf8");
          return { env, stdin: text ? JSON.parse(text) : null };
        });
    },
    [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }),
  };
}
