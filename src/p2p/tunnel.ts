import { errorMessage } from "../shared/errors.ts";
import type { Log } from "../shared/log.ts";

export type Tunnel = { url: string; close(): Promise<void> };
export type TunnelResult = { ok: true; tunnel: Tunnel } | { ok: false; reason: string };

/**
 * An HTTPS URL for the P2P port through ngrok. Failure is never fatal: the daemon
 * keeps serving the LAN and says why the tunnel is missing. `serverAddr` and
 * `caCertPath` point the agent at another ngrok-compatible server (tests use a fake).
 */
export async function openTunnel({
  port,
  authtoken,
  serverAddr,
  caCertPath,
  log,
}: {
  port: number;
  authtoken: string | undefined;
  serverAddr?: string | undefined;
  caCertPath?: string | undefined;
  log: Log;
}): Promise<TunnelResult> {
  if (!authtoken) {
    return { ok: false, reason: "no NGROK_AUTHTOKEN is set; serving the LAN only (get a token at dashboard.ngrok.com)" };
  }
  const failed = (reason: string): TunnelResult => {
    log.warn("tunnel failed", { reason });
    return { ok: false, reason };
  };
  let caCert: string | undefined;
  if (caCertPath) {
    try {
      caCert = await Bun.file(caCertPath).text();
    } catch (error) {
      return failed(`cannot read the ngrok CA certificate ${caCertPath} (${errorMessage(error)}); serving the LAN only`);
    }
  }
  try {
    // Loaded on demand: the native addon is only needed with --tunnel.
    const ngrok = await import("@ngrok/ngrok");
    const listener = await ngrok.forward({
      addr: port,
      authtoken,
      ...(serverAddr ? { server_addr: serverAddr } : {}),
      ...(caCert ? { session_ca_cert: caCert } : {}),
    });
    const url = listener.url();
    if (!url) throw new Error("ngrok returned no URL");
    log.info("tunnel open", { url });
    return { ok: true, tunnel: { url, close: () => listener.close() } };
  } catch (error) {
    return failed(describeFailure(errorMessage(error)));
  }
}

/**
 * The SDK says "failed to connect session: <why>". When ngrok's service answered,
 * the why carries an ERR_NGROK_ code; without one the service was never reached.
 */
function describeFailure(message: string): string {
  const why = message
    .replace(/^failed to connect session: /, "")
    .replace(/\s*error_code: (ERR_NGROK_\d+)/, " ($1)")
    .trim();
  if (/ERR_NGROK_\d+/.test(why)) return `ngrok refused the tunnel: ${why}; serving the LAN only`;
  if (/tcp connection|tls handshake|dns|resolve|timed out|network|unreachable/i.test(why)) {
    return `could not reach ngrok (${why}); serving the LAN only`;
  }
  return `ngrok refused the tunnel (${why}); serving the LAN only`;
}
