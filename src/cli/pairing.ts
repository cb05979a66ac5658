import { readSecret } from "../shared/secret-file.ts";
import type { DaemonRow } from "../store/daemon-state.ts";
import { pairingPayload, pairingUrl, renderQr, type PairingPayload } from "../p2p/qr.ts";
import type { CliContext } from "./context.ts";

export type Pairing = { url: string; payload: PairingPayload };

/** The pairing details of a running daemon, read from its state and secret files. */
export function pairingOf(context: CliContext, daemon: DaemonRow): Pairing | null {
  const secret = readSecret(context.paths.p2pSecret);
  if (!secret || !daemon.p2pHost || !daemon.p2pPort) return null;
  const payload = pairingPayload({
    host: daemon.p2pHost,
    port: daemon.p2pPort,
    secret,
    tunnelUrl: daemon.tunnelUrl,
  });
  return { url: pairingUrl(payload), payload };
}

/** The QR, the URL in text, and what to type when scanning is not possible. */
export async function formatPairing({ url, payload }: Pairing): Promise<string> {
  return [
    "Scan this with your phone to pair:",
    await renderQr(url),
    `  url   ${url}`,
    `  host  ${payload.host}${payload.port ? `   port ${payload.port}` : ""}`,
    `  key   ${payload.key}`,
    "Anyone with this QR or key can reach this daemon; on untrusted Wi-Fi prefer --tunnel (HTTPS).",
  ].join("\n");
}
