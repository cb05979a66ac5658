/**
 * A random id for `localId`s. Not `crypto.randomUUID()`: that exists only in secure
 * contexts, and a phone on http://<LAN-IP> is not one. getRandomValues works everywhere.
 */
export function randomId(bytes = 16): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
}
