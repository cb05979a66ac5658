import { p2pAuthToken } from "../../crypto/p2p-token.ts";
import { fromBase64 } from "../../crypto/encoding.ts";
import { contentKeyPair, type BoxKeyPair } from "../../crypto/data-key.ts";
import { createCipher, type Cipher } from "../../crypto/session-cipher.ts";

/**
 * Every key a paired phone derives from the shared secret (PROTOCOL.md §2, §7), in
 * pure JS: a page on http://<LAN-IP> has no WebCrypto `subtle`. Ciphers are cached per
 * data key because unwrapping one costs a curve25519 operation.
 */
export function createKeyring(secretBase64: string) {
  const secret = fromBase64(secretBase64);
  if (!secret || secret.length !== 32) throw new Error("the pairing key is not a 32-byte base64 secret");
  const token = p2pAuthToken(secret);
  const ciphers = new Map<string, Cipher>();
  let keyPair: BoxKeyPair | null = null;
  const contentKeys = () => (keyPair ??= contentKeyPair(secret));
  return {
    token,
    cipher(dataEncryptionKey: string | null): Cipher {
      const id = dataEncryptionKey ?? "";
      let cipher = ciphers.get(id);
      if (!cipher) {
        cipher = createCipher(secret, dataEncryptionKey, { keyPair: contentKeys });
        ciphers.set(id, cipher);
      }
      return cipher;
    },
  };
}

export type Keyring = ReturnType<typeof createKeyring>;
