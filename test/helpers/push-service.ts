import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify } from "node:crypto";

/**
 * A push service on loopback that speaks enough of RFC 8030 for the daemon: it takes a
 * POST per subscription path, answers 201 (or what a test asks for), and keeps every
 * request. And a browser's side of a subscription, made here: an ECDH P-256 key pair
 * and an auth secret, with an independent RFC 8291 (aes128gcm) decryption and an RFC 8292
 * VAPID check written with node:crypto — not with web-push, which the daemon uses.
 */
export type PushRequest = { path: string; headers: Record<string, string>; body: Uint8Array; at: number };

export function startPushService() {
  const requests: PushRequest[] = [];
  /** Answers per path, used in order; afterwards 201. */
  const scripted = new Map<string, number[]>();
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const path = new URL(request.url).pathname;
      requests.push({ path, headers: Object.fromEntries(request.headers), body: new Uint8Array(await request.arrayBuffer()), at: performance.now() });
      const status = scripted.get(path)?.shift() ?? 201;
      return new Response(status >= 400 ? "push service says no" : null, { status });
    },
  });
  const base = `http://127.0.0.1:${server.port}`;
  return {
    base,
    requests,
    /** The next answers for `path`, e.g. [500] once, or [410]. */
    answer(path: string, statuses: number[]) {
      scripted.set(path, [...statuses]);
    },
    to: (path: string) => requests.filter((r) => r.path === path),
    [Symbol.dispose]: () => server.stop(true),
  };
}

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

/** A browser's subscription to `endpoint`, and what that browser can do with a push: decrypt it. */
export function makeSubscription(endpoint: string) {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  const auth = randomBytes(16);
  const publicKey = ecdh.getPublicKey();
  return {
    json: { endpoint, keys: { p256dh: b64url(publicKey), auth: b64url(auth) } },
    path: new URL(endpoint).pathname,
    /** RFC 8291 §3.4 and RFC 8188: one aes128gcm record, keyed by ECDH and HKDF. */
    decrypt(body: Uint8Array): string {
      const data = Buffer.from(body);
      const salt = data.subarray(0, 16);
      const idLength = data[20]!;
      const serverKey = data.subarray(21, 21 + idLength);
      const record = data.subarray(21 + idLength);
      const shared = ecdh.computeSecret(serverKey);
      const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), publicKey, serverKey]);
      const ikm = Buffer.from(hkdfSync("sha256", shared, auth, keyInfo, 32));
      const cek = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: aes128gcm\0"), 16));
      const nonce = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: nonce\0"), 12));
      const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
      decipher.setAuthTag(record.subarray(record.length - 16));
      const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
      // The last record ends with the delimiter 0x02, then zero padding.
      let end = padded.length - 1;
      while (end >= 0 && padded[end] === 0) end--;
      if (padded[end] !== 2) throw new Error("no last-record delimiter");
      return padded.subarray(0, end).toString("utf8");
    },
  };
}

/**
 * RFC 8292: `Authorization: vapid t=<JWT>, k=<public key>`. Checks the ES256 signature
 * with that key and returns the key and the claims for the test to compare.
 */
export function verifyVapid(authorization: string | undefined): { key: string; header: any; claims: any } {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(authorization ?? "");
  if (!match) throw new Error(`not a VAPID Authorization header: ${authorization}`);
  const [, jwt, key] = match as unknown as [string, string, string];
  const [header, payload, signature] = jwt.split(".") as [string, string, string];
  const point = Buffer.from(key, "base64url");
  if (point.length !== 65 || point[0] !== 4) throw new Error("k is not an uncompressed P-256 point");
  const publicKey = createPublicKey({
    key: { kty: "EC", crv: "P-256", x: b64url(point.subarray(1, 33)), y: b64url(point.subarray(33)) },
    format: "jwk",
  });
  const valid = verify("sha256", Buffer.from(`${header}.${payload}`), { key: publicKey, dsaEncoding: "ieee-p1363" }, Buffer.from(signature, "base64url"));
  if (!valid) throw new Error("the VAPID JWT's ES256 signature does not verify");
  return {
    key,
    header: JSON.parse(Buffer.from(header, "base64url").toString("utf8")),
    claims: JSON.parse(Buffer.from(payload, "base64url").toString("utf8")),
  };
}
