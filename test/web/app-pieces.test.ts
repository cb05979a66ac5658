import { describe, expect, test } from "bun:test";
import { pairingEndpoint } from "../../src/protocol/pairing.ts";
import { compactPairingUrl, pairingPayload, pairingUrl } from "../../src/p2p/qr.ts";
import { readPairingFragment } from "../../src/web/pairing/fragment.ts";
import { toItems } from "../../src/web/ui/conversation/items.ts";
import { lineDiff } from "../../src/web/ui/conversation/line-diff.ts";

// The app's pure parts, without a browser: what the daemon writes, the app reads.

describe("pairing fragment", () => {
  test("the app reads the payload the daemon puts in the QR URL and dials the same endpoint", () => {
    const payload = pairingPayload({ addresses: [{ kind: "lan", url: "http://192.168.1.20:41234" }], secret: new Uint8Array(32).fill(7) });
    const url = new URL(pairingUrl(payload));
    expect(readPairingFragment(url.hash)).toEqual({ kind: "pairing", payload });
    expect(pairingEndpoint(payload)).toBe(url.origin);
    expect(payload).toEqual({ mode: "p2p", host: "192.168.1.20", port: 41234, key: expect.any(String), v: 1 });
    const tunnel = pairingPayload({ addresses: [{ kind: "tunnel", url: "https://abc.ngrok.app" }], secret: new Uint8Array(32) });
    expect(pairingEndpoint(tunnel)).toBe("https://abc.ngrok.app");
    expect(tunnel).toMatchObject({ host: "https://abc.ngrok.app", port: 0 });
  });

  test("an IPv6 primary is bracketed in the URL, and the other addresses but IPv6 literals ride in `alt`, best first", () => {
    const payload = pairingPayload({
      addresses: [
        { kind: "lan6", url: "http://[fd00::2]:40137" },
        { kind: "tailscale", url: "http://100.101.102.103:40137" },
        { kind: "tailscale", url: "http://[fd7a:115c:a1e0::53]:40137" },
        { kind: "magicdns", url: "http://laptop.tail1234.ts.net:40137" },
      ],
      secret: new Uint8Array(32),
    });
    expect(payload).toMatchObject({ host: "fd00::2", port: 40137, alt: ["http://100.101.102.103:40137", "http://laptop.tail1234.ts.net:40137"] });
    const url = pairingUrl(payload);
    expect(url.startsWith("http://[fd00::2]:40137/terminal/connect#")).toBe(true);
    expect(readPairingFragment(new URL(url).hash)).toEqual({ kind: "pairing", payload });
    expect(pairingEndpoint(payload)).toBe("http://[fd00::2]:40137");
  });

  test("an `alt` entry that is not an http(s) origin is dropped; the pairing still reads", () => {
    const raw = { mode: "p2p" as const, host: "10.0.0.2", port: 1, key: "k", v: 1, alt: ["javascript:alert(1)", "http://10.0.0.3:1/path", 5, "https://a.example"] };
    expect(readPairingFragment(`#${encodeURIComponent(JSON.stringify(raw))}`)).toEqual({ kind: "pairing", payload: { ...raw, alt: ["https://a.example"] } });
  });

  test("the compact link of a small terminal (#k=<key>) pairs with the page's own address, as the full one does", () => {
    const secret = new Uint8Array(32).map((_, i) => 250 - i * 3);
    for (const [payload, here] of [
      [pairingPayload({ addresses: [{ kind: "lan", url: "http://192.168.1.20:41234" }], secret }), new URL("http://192.168.1.20:41234/terminal/connect")],
      [pairingPayload({ addresses: [{ kind: "tunnel", url: "https://abc.ngrok.app" }], secret }), new URL("https://abc.ngrok.app/terminal/connect")],
    ] as const) {
      const compact = new URL(compactPairingUrl(payload));
      expect(compact.href.length).toBeLessThan(pairingUrl(payload).length);
      expect(`${compact.origin}${compact.pathname}`).toBe(here.href);
      expect(readPairingFragment(compact.hash, here)).toEqual({ kind: "pairing", payload });
    }
    expect(readPairingFragment("#k=abc", new URL("http://h:1/"))).toMatchObject({ kind: "invalid", reason: expect.stringContaining("cut short") });
  });

  test("a cut or foreign fragment is refused with a reason, and no fragment is not an error", () => {
    expect(readPairingFragment("")).toEqual({ kind: "none" });
    expect(readPairingFragment("#%7B%22mode")).toMatchObject({ kind: "invalid", reason: expect.stringContaining("cut short") });
    expect(readPairingFragment(`#${encodeURIComponent(JSON.stringify({ mode: "cloud", host: "h", port: 1, key: "k", v: 1 }))}`)).toMatchObject({
      kind: "invalid",
    });
  });
});

describe("line diff of a file edit", () => {
  test("keeps common lines, shows a change as removed then added", () => {
    expect(lineDiff("a\nb\nc", "a\nB\nc\nd")).toEqual([
      { kind: "same", text: "a" },
      { kind: "removed", text: "b" },
      { kind: "added", text: "B" },
      { kind: "same", text: "c" },
      { kind: "added", text: "d" },
    ]);
    expect(lineDiff("", "new")).toEqual([{ kind: "added", text: "new" }]);
  });

  test("a huge edit degrades to removed-then-added instead of a quadratic table", () => {
    const before = Array.from({ length: 1000 }, (_, i) => `old ${i}`).join("\n");
    const after = Array.from({ length: 1000 }, (_, i) => `new ${i}`).join("\n");
    const started = performance.now();
    const diff = lineDiff(before, after);
    expect(performance.now() - started).toBeLessThan(200);
    expect(diff.filter((l) => l.kind === "removed")).toHaveLength(1000);
    expect(diff.filter((l) => l.kind === "added")).toHaveLength(1000);
  });
});

describe("conversation items", () => {
  const message = (seq: number, plain: unknown) => ({ id: `m${seq}`, seq, localId: null, createdAt: seq, plain: plain as never });
  test("tool results are found by tool_use id, terminal prompts are user turns, system lines are hidden", () => {
    const { items, results } = toItems([
      message(1, { role: "agent", content: { type: "output", data: { type: "system", subtype: "init" } } }),
      message(2, { role: "agent", content: { type: "output", data: { type: "user", message: { content: "typed in the terminal" } } } }),
      message(3, {
        role: "agent",
        content: { type: "output", data: { type: "assistant", message: { content: [{ type: "thinking", thinking: "hmm" }, { type: "tool_use", id: "t1", name: "Bash", input: { command: "ls" } }] } } },
      }),
      message(4, {
        role: "agent",
        content: { type: "output", data: { type: "user", message: { content: [{ type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "a.txt" }], is_error: false }] } } },
      }),
      message(5, { role: "agent", content: { type: "event", id: "e", data: { type: "switch", mode: "local" } } }),
      message(6, null),
    ]);
    expect(items.map((i) => i.kind)).toEqual(["user", "thinking", "tool", "event", "unreadable"]);
    expect(results.get("t1")).toEqual({ text: "a.txt", isError: false });
  });

  test("a tool result the phone denied is a refusal, not a failure; a failed one stays an error", () => {
    const result = (id: string, extra: Record<string, unknown>) =>
      ({ type: "tool_result", tool_use_id: id, content: "no", is_error: true, ...extra });
    const { results } = toItems([
      message(1, { role: "agent", content: { type: "output", data: { type: "user", message: { content: [result("d", { permissions: { result: "denied" } }), result("f", {})] } } } }),
    ]);
    expect(results.get("d")).toEqual({ text: "no", isError: true, denied: true });
    expect(results.get("f")).toEqual({ text: "no", isError: true });
  });
});
