import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { io } from "socket.io-client";
import { startDaemon, type Daemon } from "../helpers/p2p.ts";

let daemon: Daemon;
beforeAll(async () => {
  daemon = await startDaemon();
});
afterAll(async () => {
  await daemon[Symbol.asyncDispose]();
});

describe("P2P authentication", () => {
  test("/health and the web app are open; every /v1 and /v2 route wants the token", async () => {
    expect(await daemon.api("/health", { headers: { authorization: "" } })).toEqual({
      status: 200,
      body: { status: "ok", mode: "p2p" },
    });
    const page = await fetch(`${daemon.base}/terminal/connect`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<html");
    for (const path of ["/v1/sessions", "/v1/machines", "/v2/sessions", "/v2/sessions/active", "/v1/account/profile"]) {
      const missing = await daemon.api(path, { headers: { authorization: "" } });
      expect({ path, status: missing.status }).toEqual({ path, status: 401 });
      expect(typeof missing.body.error).toBe("string");
      const wrong = await daemon.api(path, { headers: { authorization: `Bearer ${"0".repeat(128)}` } });
      expect({ path, status: wrong.status }).toEqual({ path, status: 401 });
    }
  });

  test("the token is lowercase hex of HMAC-SHA512 over p2p-auth, 128 characters", async () => {
    expect(daemon.token).toMatch(/^[0-9a-f]{128}$/);
    const hmac = new Bun.CryptoHasher("sha512", daemon.secret).update("p2p-auth").digest("hex");
    expect(daemon.token).toBe(hmac);
    expect((await daemon.api("/v1/sessions")).status).toBe(200);
  });

  test("each client type connects with the token", async () => {
    await daemon.connect();
    await daemon.connect({ clientType: "user-scoped" });
    await daemon.connect({ clientType: "session-scoped", sessionId: "s1" });
    await daemon.connect({ clientType: "machine-scoped", machineId: "m1" });
  });

  test("a wrong or missing token fails the connection with an authentication error", async () => {
    await expect(daemon.connect({ token: "nope" })).rejects.toThrow(/Authentication failed/);
    await expect(daemon.connect({ token: undefined })).rejects.toThrow(/Authentication failed/);
  });

  test("a scoped connection without its id is refused", async () => {
    await expect(daemon.connect({ clientType: "session-scoped" })).rejects.toThrow(/sessionId/);
    await expect(daemon.connect({ clientType: "machine-scoped" })).rejects.toThrow(/machineId/);
  });

  test("a foreign browser Origin is refused on REST and on the WebSocket", async () => {
    const rest = await daemon.api("/v1/sessions", { headers: { origin: "https://evil.example" } });
    expect(rest.status).toBe(403);
    const rebinding = await daemon.api("/health", { headers: { origin: `http://attacker.test:${daemon.port}` } });
    expect(rebinding.status).toBe(403);
    const own = await daemon.api("/v1/sessions", { headers: { origin: `http://127.0.0.1:${daemon.port}` } });
    expect(own.status).toBe(200);

    const tryOrigin = async (origin: string) => {
      const socket = io(daemon.base, {
        path: "/v1/updates",
        transports: ["websocket"],
        auth: { token: daemon.token },
        extraHeaders: { origin },
        reconnection: false,
      });
      const outcome = await new Promise<string>((resolve) => {
        socket.once("connect", () => resolve("connected"));
        socket.once("connect_error", () => resolve("refused"));
      });
      socket.close();
      return outcome;
    };
    expect(await tryOrigin("https://evil.example")).toBe("refused");
    expect(await tryOrigin(`http://127.0.0.1:${daemon.port}`)).toBe("connected");
  });
});
