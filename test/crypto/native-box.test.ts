import { describe, expect, test } from "bun:test";
import nacl from "tweetnacl";
import { jsBoxCurve, unwrapDataKey, wrapDataKey } from "../../src/crypto/data-key.ts";
import { randomBytes } from "../../src/crypto/encoding.ts";
import { nativeBoxCurve } from "../../src/crypto/native.ts";

// The daemon re-wraps data keys with native X25519; the phone unwraps them with tweetnacl.
describe("native box curve", () => {
  test("gives tweetnacl's shared keys and key pairs", () => {
    for (let i = 0; i < 20; i++) {
      const a = nacl.box.keyPair();
      const b = nativeBoxCurve.keyPair();
      expect(nacl.box.keyPair.fromSecretKey(b.secretKey).publicKey).toEqual(b.publicKey);
      expect(nativeBoxCurve.before(b.publicKey, a.secretKey)).toEqual(nacl.box.before(b.publicKey, a.secretKey));
      expect(nativeBoxCurve.before(a.publicKey, b.secretKey)).toEqual(jsBoxCurve.before(a.publicKey, b.secretKey));
    }
  });

  test("a data key wrapped natively unwraps in pure JS and the other way round; a wrong key opens nothing", () => {
    const recipient = nacl.box.keyPair();
    const dataKey = randomBytes(32);
    expect(unwrapDataKey(wrapDataKey(dataKey, recipient.publicKey, nativeBoxCurve), recipient.secretKey)).toEqual(dataKey);
    expect(unwrapDataKey(wrapDataKey(dataKey, recipient.publicKey), recipient.secretKey, nativeBoxCurve)).toEqual(dataKey);
    expect(unwrapDataKey(wrapDataKey(dataKey, recipient.publicKey), nacl.box.keyPair().secretKey, nativeBoxCurve)).toBeNull();
  });
});
