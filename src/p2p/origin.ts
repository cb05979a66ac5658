/**
 * Which browser Origins may talk to the P2P port: none at all (apps, the CLI), or a page
 * of ours: this server reached by one of its own addresses (p2p/reach.ts: the machine's
 * addresses on the P2P port, the tunnel, tailscale's name and HTTPS URL, REMCLI_ADVERTISE).
 * Any other host *name* is refused even when it resolves here, which defeats DNS rebinding.
 */
export function createOriginPolicy({ ownOrigins }: { ownOrigins: () => Set<string> }) {
  return (origin: string | null | undefined): boolean => {
    if (origin === null || origin === undefined) return true;
    let normalized: string;
    try {
      normalized = new URL(origin).origin;
    } catch {
      return false;
    }
    // Read afresh at most once a second (reach.ts), so a flood of foreign origins costs a
    // set lookup each, and a tunnel or interface that appears is accepted within a second.
    return ownOrigins().has(normalized);
  };
}

export type OriginPolicy = ReturnType<typeof createOriginPolicy>;
