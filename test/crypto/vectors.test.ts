import { describe, expect, spyOn, test } from "bun:test";
import nacl from "tweetnacl";
import { aesGcmOpen, aesGcmSeal } from "../../src/crypto/aes-gcm.ts";
import { contentKeyPair, unwrapDataKey, wrapDataKey } from "../../src/crypto/data-key.ts";
import { deriveKey } from "../../src/crypto/derive-key.ts";
import { concatBytes, fromBase64, fromUtf8, portableBase64, toBase64, toHex, utf8 } from "../../src/crypto/encoding.ts";
import { p2pAuthToken } from "../../src/crypto/p2p-token.ts";
import { secretboxOpen, secretboxSeal } from "../../src/crypto/secretbox.ts";
import { createCipher, newDataEncryptionKey } from "../../src/crypto/session-cipher.ts";
import vectors from "../fixtures/crypto-vectors.json";

// Every expected byte below comes from test/fixtures/crypto-vectors.json, built once with
// node:crypto and tweetnacl (see its "_source"), never from src/.

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, "hex"));
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64");

/** A copy of `bytes` with one bit of byte `index` flipped. */
function flip(bytes: Uint8Array, index: number): Uint8Array {
  const out = bytes.slice();
  out[index] = out[index]! ^ 0x01;
  return out;
}

/**
 * Runs `run` with crypto.getRandomValues answering `nonce`, so a seal can be compared
 * byte for byte with a vector; returns the lengths that were asked for.
 */
function withRandom<T>(nonce: Uint8Array, run: () => T): { result: T; asked: number[] } {
  const asked: number[] = [];
  const spy = spyOn(crypto, "getRandomValues").mockImplementation(<A extends ArrayBufferView | null>(array: A): A => {
    const target = array as unknown as Uint8Array;
    asked.push(target.length);
    target.set(nonce.subarray(0, target.length));
    return array;
  });
  try {
    return { result: run(), asked };
  } finally {
    spy.mockRestore();
  }
}

const master = hex(vectors.sessionCipher.masterHex);
const otherMaster = hex(vectors.contentKeyPair[1]!.masterHex);
const notBase64 = ["abc", "ab=c", "Zm9v\n", "Zm 9", "@@@@", "====", "A===", "Zm9v-_==", "Zm9vYg=", "é===", "AAA=AAAA"];

describe("encoding", () => {
  test.each(vectors.encoding.map((v) => [v.base64 || "(empty)", v] as const))(
    "bytes and standard base64 %s convert both ways",
    (_, v) => {
      const bytes = hex(v.hex);
      expect(toBase64(bytes)).toBe(v.base64);
      expect(fromBase64(v.base64)).toEqual(bytes);
      expect(toHex(bytes)).toBe(v.hex);
    },
  );

  test("the phone page's own base64 loops (browsers without native base64) give the same strings and bytes", () => {
    for (const v of vectors.encoding) {
      expect(portableBase64.encode(hex(v.hex))).toBe(v.base64);
      expect(portableBase64.decode(v.base64)).toEqual(hex(v.hex));
    }
    for (const size of [0, 1, 2, 3, 4, 5, 100, 1001]) {
      const bytes = nacl.randomBytes(size);
      expect(portableBase64.encode(bytes)).toBe(b64(bytes));
      expect(portableBase64.decode(b64(bytes))).toEqual(bytes);
    }
  });

  test.each(notBase64)("%j is not base64 and decodes to null", (text) => {
    expect(fromBase64(text)).toBeNull();
  });

  test("UTF-8 text round-trips, and bytes that are not UTF-8 decode to null", () => {
    const text = vectors.sessionCipher.json;
    expect(utf8(text)).toEqual(Uint8Array.from(Buffer.from(text, "utf8")));
    expect(fromUtf8(utf8(text))).toBe(text);
    expect(fromUtf8(new Uint8Array([0xff]))).toBeNull();
    expect(fromUtf8(new Uint8Array([0x61, 0xc3]))).toBeNull(); // truncated two-byte sequence
    expect(fromUtf8(new Uint8Array([0xed, 0xa0, 0x80]))).toBeNull(); // a lone surrogate
    expect(fromUtf8(new Uint8Array())).toBe("");
  });

  test("concatBytes joins parts in order", () => {
    expect(concatBytes(new Uint8Array([1, 2]), new Uint8Array(), new Uint8Array([3]))).toEqual(new Uint8Array([1, 2, 3]));
    expect(concatBytes()).toEqual(new Uint8Array());
  });
});

describe("p2p token (HMAC-SHA512 over p2p-auth)", () => {
  test.each(vectors.p2pToken.map((v, i) => [i, v] as const))("vector %d is reproduced", (_, v) => {
    const token = p2pAuthToken(hex(v.secretHex));
    expect(token).toBe(v.token);
    expect(token).toMatch(/^[0-9a-f]{128}$/);
  });

  test("different secrets give different tokens", () => {
    expect(new Set(vectors.p2pToken.map((v) => p2pAuthToken(hex(v.secretHex)))).size).toBe(vectors.p2pToken.length);
  });
});

describe("deriveKey", () => {
  test.each(vectors.deriveKey.map((v) => [`${v.usage} / [${v.path.join(", ")}]`, v] as const))(
    "%s is reproduced",
    (_, v) => {
      expect(toHex(deriveKey(hex(v.masterHex), v.usage, v.path))).toBe(v.keyHex);
    },
  );

  test("the usage and every path element change the key", () => {
    const base = toHex(deriveKey(master, "Remcli Encrypt", ["content"]));
    expect(toHex(deriveKey(master, "Remcli encrypt", ["content"]))).not.toBe(base);
    expect(toHex(deriveKey(master, "Remcli Encrypt", ["content", "x"]))).not.toBe(base);
    expect(toHex(deriveKey(master, "Remcli Encrypt", ["Content"]))).not.toBe(base);
    expect(toHex(deriveKey(otherMaster, "Remcli Encrypt", ["content"]))).not.toBe(base);
  });
});

describe("secretbox (legacy variant)", () => {
  test.each(vectors.secretbox.map((v, i) => [i, v] as const))("vector %d seals and opens to the same bytes", (_, v) => {
    const key = hex(v.keyHex);
    const sealed = hex(v.sealedHex);
    const { result, asked } = withRandom(hex(v.nonceHex), () => secretboxSeal(key, hex(v.plaintextHex)));
    expect(asked).toEqual([24]);
    expect(toHex(result)).toBe(v.sealedHex);
    expect(secretboxOpen(key, sealed)).toEqual(hex(v.plaintextHex));
  });

  const v = vectors.secretbox[0]!;
  const key = hex(v.keyHex);
  const sealed = hex(v.sealedHex);
  test.each([
    ["a flipped nonce byte", flip(sealed, 3)],
    ["a flipped tag byte", flip(sealed, 24 + 5)],
    ["a flipped ciphertext byte", flip(sealed, sealed.length - 1)],
    ["the last byte cut off", sealed.subarray(0, sealed.length - 1)],
    ["only nonce and tag minus one byte", sealed.subarray(0, 24 + 15)],
    ["no bytes", new Uint8Array()],
    ["an extra trailing byte", concatBytes(sealed, new Uint8Array([0]))],
  ] as const)("%s does not open", (_, bytes) => {
    expect(secretboxOpen(key, bytes)).toBeNull();
  });

  test("a wrong key does not open", () => {
    expect(secretboxOpen(flip(key, 31), sealed)).toBeNull();
    expect(secretboxOpen(otherMaster, sealed)).toBeNull();
  });

  test("random plaintexts round-trip and every seal uses a fresh nonce", () => {
    for (const size of [0, 1, 31, 32, 33, 4096, 100_000]) {
      const plain = nacl.randomBytes(size);
      const first = secretboxSeal(master, plain);
      const second = secretboxSeal(master, plain);
      expect(first.length).toBe(24 + 16 + size);
      expect(toHex(first.subarray(0, 24))).not.toBe(toHex(second.subarray(0, 24)));
      expect(secretboxOpen(master, first)).toEqual(plain);
      expect(secretboxOpen(master, second)).toEqual(plain);
    }
  });
});

describe("AES-256-GCM (dataKey variant)", () => {
  test.each(vectors.aesGcm.map((v, i) => [i, v] as const))("vector %d seals and opens to the same bytes", (_, v) => {
    const key = hex(v.keyHex);
    const { result, asked } = withRandom(hex(v.nonceHex), () => aesGcmSeal(key, hex(v.plaintextHex)));
    expect(asked).toEqual([12]);
    expect(toHex(result)).toBe(v.sealedHex);
    expect(aesGcmOpen(key, hex(v.sealedHex))).toEqual(hex(v.plaintextHex));
  });

  const v = vectors.aesGcm[0]!;
  const key = hex(v.keyHex);
  const sealed = hex(v.sealedHex);
  test.each([
    ["a version byte other than 0", flip(sealed, 0)],
    ["a flipped nonce byte", flip(sealed, 1 + 4)],
    ["a flipped ciphertext byte", flip(sealed, 13 + 2)],
    ["a flipped tag byte", flip(sealed, sealed.length - 1)],
    ["the tag cut short", sealed.subarray(0, sealed.length - 1)],
    ["the tag cut off", sealed.subarray(0, sealed.length - 16)],
    ["version, nonce and a 15-byte tag", concatBytes(sealed.subarray(0, 13), new Uint8Array(15))],
    ["no bytes", new Uint8Array()],
    ["an extra trailing byte", concatBytes(sealed, new Uint8Array([0]))],
  ] as const)("%s does not open", (_, bytes) => {
    expect(aesGcmOpen(key, bytes)).toBeNull();
  });

  test("a wrong key does not open, even one of another valid AES length", () => {
    expect(aesGcmOpen(flip(key, 0), sealed)).toBeNull();
    expect(aesGcmOpen(key.subarray(0, 16), sealed)).toBeNull();
    expect(aesGcmOpen(key.subarray(0, 7), sealed)).toBeNull();
  });

  test("random plaintexts round-trip and every seal uses a fresh nonce", () => {
    for (const size of [0, 1, 15, 16, 17, 4096, 100_000]) {
      const plain = nacl.randomBytes(size);
      const first = aesGcmSeal(key, plain);
      const second = aesGcmSeal(key, plain);
      expect(first.length).toBe(1 + 12 + size + 16);
      expect(first[0]).toBe(0);
      expect(toHex(first.subarray(1, 13))).not.toBe(toHex(second.subarray(1, 13)));
      expect(aesGcmOpen(key, first)).toEqual(plain);
      expect(aesGcmOpen(key, second)).toEqual(plain);
    }
  });
});

describe("data key wrapping", () => {
  test.each(vectors.contentKeyPair.map((v, i) => [i, v] as const))(
    "the content key pair of master %d is crypto_box_seed_keypair of its derived seed",
    (_, v) => {
      expect(toHex(deriveKey(hex(v.masterHex), "Remcli Encrypt", ["content"]))).toBe(v.seedHex);
      const pair = contentKeyPair(hex(v.masterHex));
      expect(toHex(pair.secretKey)).toBe(v.secretKeyHex);
      expect(toHex(pair.publicKey)).toBe(v.publicKeyHex);
    },
  );

  const w = vectors.wrappedDataKey;
  const dataKey = hex(w.dataKeyHex);
  const secretKey = contentKeyPair(hex(w.masterHex)).secretKey;

  test("the wrapped vector unwraps to its data key", () => {
    expect(unwrapDataKey(w.wrapped, secretKey)).toEqual(dataKey);
  });

  test("the wrapped vector does not unwrap with the key pair of another seed", () => {
    expect(unwrapDataKey(w.wrapped, contentKeyPair(otherMaster).secretKey)).toBeNull();
    expect(unwrapDataKey(w.wrapped, hex(vectors.contentKeyPair[1]!.secretKeyHex))).toBeNull();
  });

  const wrappedBytes = fromBase64(w.wrapped)!;
  test.each([
    ["a version byte other than 0", b64(flip(wrappedBytes, 0))],
    ["a flipped ephemeral public key byte", b64(flip(wrappedBytes, 1 + 10))],
    ["a flipped nonce byte", b64(flip(wrappedBytes, 33 + 10))],
    ["a flipped box byte", b64(flip(wrappedBytes, wrappedBytes.length - 1))],
    ["the last byte cut off", b64(wrappedBytes.subarray(0, wrappedBytes.length - 1))],
    ["only the header", b64(wrappedBytes.subarray(0, 57))],
    ["the empty string", ""],
    ["text that is not base64", "not base64!"],
    ["base64 with its last character cut off", w.wrapped.slice(0, -1)],
  ] as const)("%s does not unwrap", (_, wrapped) => {
    expect(unwrapDataKey(wrapped, secretKey)).toBeNull();
  });

  test("a key wrapped for a key pair from a seed unwraps with that pair and no other", () => {
    const seed = deriveKey(master, "Remcli Encrypt", ["content"]);
    const pair = contentKeyPair(master);
    const key = nacl.randomBytes(32);
    const wrapped = wrapDataKey(key, pair.publicKey);
    const bytes = fromBase64(wrapped)!;
    expect(bytes.length).toBe(1 + 32 + 24 + 32 + 16);
    expect(bytes[0]).toBe(0);
    expect(unwrapDataKey(wrapped, pair.secretKey)).toEqual(key);
    expect(unwrapDataKey(wrapped, contentKeyPair(otherMaster).secretKey)).toBeNull();
    expect(unwrapDataKey(wrapped, nacl.box.keyPair.fromSecretKey(seed).secretKey)).toBeNull(); // the raw seed is not the key
    expect(wrapDataKey(key, pair.publicKey)).not.toBe(wrapped); // fresh ephemeral key and nonce each time
  });

  // Known bug in src/crypto/data-key.ts: unwrapDataKey returns a key of any length, so a
  // 16- or 24-byte key turns the cipher into AES-128/192. Flip to `test` once it is fixed.
  test("a wrapped data key that is not 32 bytes does not unwrap", () => {
    const pair = contentKeyPair(master);
    for (const length of [0, 16, 24, 31, 33, 64]) {
      expect({ length, key: unwrapDataKey(wrapDataKey(new Uint8Array(length).fill(7), pair.publicKey), pair.secretKey) }).toEqual({
        length,
        key: null,
      });
    }
  });
});

describe("session cipher", () => {
  const c = vectors.sessionCipher;

  test("the legacy vector decrypts to its value, and encrypting the value reproduces it", () => {
    const cipher = createCipher(master, null);
    expect(cipher.decrypt(c.legacy.encrypted)).toEqual(c.value);
    const { result } = withRandom(hex(c.legacy.sbNonceHex), () => cipher.encrypt(c.value));
    expect(result).toBe(c.legacy.encrypted);
  });

  test("the dataKey vector decrypts with its wrapped key, and encrypting the value reproduces it", () => {
    const cipher = createCipher(master, c.dataKey.dataEncryptionKey);
    expect(cipher.decrypt(c.dataKey.encrypted)).toEqual(c.value);
    const { result } = withRandom(hex(c.dataKey.gcmNonceHex), () => cipher.encrypt(c.value));
    expect(result).toBe(c.dataKey.encrypted);
  });

  const values: unknown[] = [c.value, "π ≈ 3.14159 🥧", 0, -1.5, true, [], [1, "two", { three: [3] }], { nested: { deep: null } }];
  test.each(values.map((value) => [JSON.stringify(value), value] as const))("%s round-trips in both variants", (_, value) => {
    const { wrapped } = newDataEncryptionKey(master);
    for (const cipher of [createCipher(master, null), createCipher(master, wrapped)]) {
      const encrypted = cipher.encrypt(value);
      expect(fromBase64(encrypted)).not.toBeNull();
      expect(cipher.decrypt(encrypted)).toEqual(value);
    }
  });

  test("a cipher of the other variant, another master or another data key decrypts nothing", () => {
    const legacy = createCipher(master, null);
    const dataKey = createCipher(master, c.dataKey.dataEncryptionKey);
    expect(legacy.decrypt(c.dataKey.encrypted)).toBeNull();
    expect(dataKey.decrypt(c.legacy.encrypted)).toBeNull();
    expect(createCipher(otherMaster, null).decrypt(c.legacy.encrypted)).toBeNull();
    expect(createCipher(master, newDataEncryptionKey(master).wrapped).decrypt(c.dataKey.encrypted)).toBeNull();
  });

  test("a data key that does not unwrap under the master decrypts nothing and refuses to encrypt", () => {
    const cipher = createCipher(otherMaster, c.dataKey.dataEncryptionKey);
    expect(cipher.decrypt(c.dataKey.encrypted)).toBeNull();
    expect(() => cipher.encrypt(c.value)).toThrow("does not unwrap");
    const garbage = createCipher(master, "not base64!");
    expect(garbage.decrypt(c.dataKey.encrypted)).toBeNull();
    expect(() => garbage.encrypt(1)).toThrow("does not unwrap");
  });

  const tampered = (encrypted: string, index: number) => b64(flip(fromBase64(encrypted)!, index));
  test.each([
    ["legacy", null, c.legacy.encrypted, 0],
    ["legacy", null, c.legacy.encrypted, 30],
    ["legacy", null, c.legacy.encrypted, 60],
    ["dataKey", c.dataKey.dataEncryptionKey, c.dataKey.encrypted, 0],
    ["dataKey", c.dataKey.dataEncryptionKey, c.dataKey.encrypted, 5],
    ["dataKey", c.dataKey.dataEncryptionKey, c.dataKey.encrypted, 20],
    ["dataKey", c.dataKey.dataEncryptionKey, c.dataKey.encrypted, fromBase64(c.dataKey.encrypted)!.length - 1],
  ] as const)("%s: a flipped byte at %#, is refused", (_, dek, encrypted, index) => {
    expect(createCipher(master, dek).decrypt(tampered(encrypted, index))).toBeNull();
  });

  test.each([
    ["legacy", null, c.legacy.encrypted],
    ["dataKey", c.dataKey.dataEncryptionKey, c.dataKey.encrypted],
  ] as const)("%s: empty, truncated or non-base64 input decrypts to null", (_, dek, good) => {
    const cipher = createCipher(master, dek);
    for (const input of ["", "not base64!", good.slice(0, -1), good.slice(0, -4), good.slice(0, 8), ...notBase64]) {
      expect({ input, out: cipher.decrypt(input) }).toEqual({ input, out: null });
    }
  });

  test("authentic ciphertexts whose plaintext is not UTF-8 JSON decrypt to null", () => {
    const { key, wrapped } = newDataEncryptionKey(master);
    const legacy = createCipher(master, null);
    const dataKey = createCipher(master, wrapped);
    for (const plain of [utf8("{not json"), utf8(""), new Uint8Array([0x22, 0xff, 0x22])]) {
      expect(legacy.decrypt(toBase64(secretboxSeal(master, plain)))).toBeNull();
      expect(dataKey.decrypt(toBase64(aesGcmSeal(key, plain)))).toBeNull();
    }
  });

  test("a new data key is 32 random bytes wrapped for the content key pair of the master", () => {
    const first = newDataEncryptionKey(master);
    const second = newDataEncryptionKey(master);
    expect(first.key.length).toBe(32);
    expect(toHex(first.key)).not.toBe(toHex(second.key));
    expect(unwrapDataKey(first.wrapped, hex(vectors.contentKeyPair[0]!.secretKeyHex))).toEqual(first.key);
    const encrypted = createCipher(master, first.wrapped).encrypt(c.value);
    expect(fromUtf8(aesGcmOpen(first.key, fromBase64(encrypted)!)!)).toBe(c.json);
  });
});
