import { describe, expect, test } from "bun:test";
import { compactPairingUrl, pairingPayload, pairingUrl } from "../../src/p2p/qr.ts";
import { readManualPairing } from "../../src/web/pairing/manual.ts";

// What a person pastes or types to pair by hand, read as a scanned QR would be.
const payload = pairingPayload({ addresses: [{ kind: "lan", url: "http://192.168.1.20:41234" }], secret: new Uint8Array(32).fill(7) });

describe("pairing by hand", () => {
  test("the pasted link of `daemon qr`, with spaces and a new line around it, or only its #… part", () => {
    expect(readManualPairing({ link: ` ${pairingUrl(payload)}\n` })).toEqual({ ok: true, payload });
    expect(readManualPairing({ link: new URL(pairingUrl(payload)).hash })).toEqual({ ok: true, payload });
  });

  test("the compact link of a small terminal (#k=<key>) pasted whole: host and port from the link", () => {
    expect(readManualPairing({ link: ` ${compactPairingUrl(payload)} ` })).toEqual({ ok: true, payload });
  });

  test("host, port and key typed in; a tunnel URL needs no port", () => {
    expect(readManualPairing({ host: " 192.168.1.20 ", port: "41234", key: payload.key })).toEqual({ ok: true, payload });
    expect(readManualPairing({ host: "https://abc.ngrok.app/", port: "", key: "k" })).toEqual({
      ok: true,
      payload: { mode: "p2p", host: "https://abc.ngrok.app", port: 0, key: "k", v: 1 },
    });
  });

  test.each([
    [{ link: "http://192.168.1.20:41234/terminal/connect" }, "no #… part"],
    [{ link: "http://h/terminal/connect#%7B%22mode" }, "cut short"],
    [{ host: "", port: "1", key: "k" }, "host is missing"],
    [{ host: "10.0.0.2", port: "http", key: "k" }, "port must be a number"],
    [{ host: "10.0.0.2", port: "70000", key: "k" }, "port must be a number"],
    [{ host: "10.0.0.2", port: "4000", key: " " }, "key is missing"],
  ])("%p is refused with a reason", (entry, reason) => {
    const read = readManualPairing(entry);
    expect(read.ok).toBe(false);
    expect(read.ok ? "" : read.reason).toContain(reason);
  });
});
