/**
 * Which browser Origins may talk to the P2P port: none at all (apps, the CLI), or a page
 * of ours: this server reached by one of its own addresses (p2p/reach.ts: the machine's
 * addresses on the P2P port, the tunnel, tailscale's name and HTTPS URL, REMCLI_ADVERTISE).
 * Any other host *name* is refused even when it resolves here, which defeats DNS rebinding.
 */
export function createOriginPolicy({ ownOrigins }: { ownOrigins: () => Set<string> }) {
  let known: Set<string> | null = null;
  let refreshedAt = 0;

  return (origin: string | null | undefined): boolean => {
    if (origin === null || origin === undefined) return true;
    let normalized: string;
    try {
      normalized = new URL(origin).origin;
    } catch {
      return false;
    }
    if (known?.has(normalized)) return true;
    // Interfaces come and go (Wi-Fi changes), a tunnel opens after the server: look again,
    // at most once a second, so a flood of foreign origins costs a set lookup each.
    if (known === null || Date.now() - refreshedAt > 1_000) {
      known = ownOrigins();
      refreshedAt = Date.now();
    }
    return known.has(normalized);
  };
}

export type OriginPolicy = ReturnType<typeof createOriginPolicy>;
