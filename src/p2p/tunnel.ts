import { errorMessage } from "../shared/errors.ts";
import type { Log } from "../shared/log.ts";

export type Tunnel = { url: string; close(): Promise<void> };
export type TunnelResult = { ok: true; tunnel: Tunnel } | { ok: false; reason: string };

/**
 * An HTTPS URL for the P2P port through ngrok. Failure is never fatal: the daemon
 * keeps serving the LAN and says why the tunnel is missing.
 */
export async function openTunnel({
  port,
  authtoken,
  log,
}: {
  port: number;
  authtoken: string | undefined;
  log: Log;
}): Promise<TunnelResult> {
  if (!authtoken) {
    return { ok: false, reason: "no NGROK_AUTHTOKEN is set; serving the LAN only (get a token at dashboard.ngrok.com)" };
  }
  try {
    // Loaded on demand: the native addon is only needed with --tunnel.
    const ngrok = await import("@ngrok/ngrok");
    const listener = await ngrok.forward({ addr: port, authtoken });
    const url = listener.url();
    if (!url) throw new Error("ngrok returned no URL");
    log.info("tunnel open", { url });
    return { ok: true, tunnel: { url, close: () => listener.close() } };
  } catch (error) {
    const why = errorMessage(error);
    const offline = /failed to connect session|dns|connect/i.test(why);
    const reason = offline
      ? `could not reach ngrok (${why}); check the network — serving the LAN only`
      : `ngrok refused the tunnel (${why}); serving the LAN only`;
    log.warn("tunnel failed", { reason });
    return { ok: false, reason };
  }
}
