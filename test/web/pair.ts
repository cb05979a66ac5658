import { randomBytes } from "node:crypto";
import { createCipher, newDataEncryptionKey } from "../../src/crypto/session-cipher.ts";
import type { Daemon } from "../helpers/p2p.ts";
import type { Phone } from "./browser.ts";

/** The URL `remcli daemon qr` shows (its --json form). */
export async function qrUrl(daemon: Daemon, args: string[] = []): Promise<string> {
  const qr = await daemon.box.cli(["daemon", "qr", "--json", ...args]);
  if (qr.code !== 0) throw new Error(`qr failed: ${qr.stderr}`);
  return JSON.parse(qr.stdout).url as string;
}

/** Opens the QR URL as a scan would, and waits for the machine to show online. */
export async function pair(phone: Phone, daemon: Daemon): Promise<void> {
  await phone.page.goto(await qrUrl(daemon));
  await phone.page.getByText("online", { exact: true }).waitFor();
}

/** This browser's pairings as the app stored them. */
export async function storedPairings(phone: Phone): Promise<Array<{ id: string; endpoint: string; key: string }>> {
  return JSON.parse((await phone.page.evaluate(() => localStorage.getItem("remcli.pairings.v1"))) ?? "[]");
}

/**
 * A session whose data key is wrapped for another secret, as one left behind by a
 * rotation that did not re-wrap it: this phone cannot read it, nor write to it.
 */
export async function foreignSession(daemon: Daemon, path: string): Promise<string> {
  const other = new Uint8Array(randomBytes(32));
  const key = newDataEncryptionKey(other);
  const cipher = createCipher(other, key.wrapped);
  const created = await daemon.api("/v1/sessions", {
    method: "POST",
    json: { tag: `foreign-${crypto.randomUUID()}`, metadata: cipher.encrypt({ path, name: "old" }), dataEncryptionKey: key.wrapped },
  });
  if (created.status !== 200) throw new Error(`session not created: ${JSON.stringify(created.body)}`);
  return created.body.session.id as string;
}
