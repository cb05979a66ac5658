import { localAddresses } from "./lan.ts";

/**
 * Which browser Origins may talk to the P2P port: none at all (apps, the CLI), this
 * server itself reached by one of the machine's own addresses, or the tunnel. A host
 * *name* is refused even when it resolves here, which defeats DNS rebinding.
 */
export function createOriginPolicy({ port, tunnelUrl }: { port: () => number; tunnelUrl: () => string | null }) {
  let addresses = localAddresses();
  let refreshedAt = Date.now();

  return (origin: string | null | undefined): boolean => {
    if (origin === null || origin === undefined) return true;
    const tunnel = tunnelUrl();
    if (tunnel && origin === new URL(tunnel).origin) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    if (url.protocol !== "http:" || Number(url.port || 80) !== port()) return false;
    // Interfaces come and go (Wi-Fi changes): re-read them now and then.
    if (!addresses.has(url.hostname) && Date.now() - refreshedAt > 5_000) {
      addresses = localAddresses();
      refreshedAt = Date.now();
    }
    return addresses.has(url.hostname);
  };
}

export type OriginPolicy = ReturnType<typeof createOriginPolicy>;
