import { httpEndpoint, ReachAddress, type ReachKind } from "../protocol/reach.ts";
import { interfaceAddresses, localAddresses } from "./lan.ts";
import { tailscaleSelf, type TailscaleSelf } from "./tailscale.ts";

const WILDCARDS = new Set(["0.0.0.0", "::", ""]);
/** How long a read of our own origins is reused; a tunnel or interface that appears is seen within it. */
const ORIGINS_FOR_MS = 1_000;

/**
 * An address the user gave in REMCLI_ADVERTISE (a DNS name, a port forward, an alias):
 * a URL as it is, a bare host with the P2P port; null when it is neither.
 */
function advertisedEndpoint(entry: string, port: number): string | null {
  const text = entry.trim();
  if (!text) return null;
  try {
    if (text.includes("://")) return new URL(text).origin;
    const hostPort = /^([^:[\]]+):(\d+)$/.exec(text);
    const url = hostPort ? new URL(`http://${hostPort[1]}:${hostPort[2]}`) : new URL(httpEndpoint(text, port));
    return url.origin;
  } catch {
    return null;
  }
}

export type ReachOptions = {
  /** The address the P2P server is bound to. */
  bindHost: () => string;
  port: () => number;
  tunnelUrl: () => string | null;
  tailscaleHttpsUrl: () => string | null;
  /** REMCLI_ADVERTISE, as given. */
  advertised: readonly string[];
  tailscaleBinary: string | null;
};

/**
 * Every way in to this daemon, best first: the first is the pairing's primary address (the
 * one the reference app dials), the others ride along for our app. The interfaces are read
 * each time (Wi-Fi comes and goes); tailscale's view is refreshed by `refresh()`.
 */
export function createReach(options: ReachOptions) {
  let tailscale: TailscaleSelf | null = null;
  const wildcard = () => WILDCARDS.has(options.bindHost());
  let origins: { set: Set<string>; at: number } | null = null;

  const addresses = (): ReachAddress[] => {
    const port = options.port();
    const dualStack = options.bindHost() === "::";
    const found: ReachAddress[] = [];
    const add = (kind: ReachKind, url: string | null) => {
      if (url && !found.some((entry) => entry.url === url) && ReachAddress.safeParse({ kind, url }).success) found.push({ kind, url });
    };
    add("tunnel", options.tunnelUrl()?.replace(/\/+$/, "") ?? null);
    add("tailscale-https", options.tailscaleHttpsUrl());
    if (!wildcard()) add("bound", httpEndpoint(options.bindHost(), port));
    else {
      for (const entry of interfaceAddresses()) {
        if (entry.address.includes(":") && !dualStack) continue;
        add(entry.kind, httpEndpoint(entry.address, port));
      }
      for (const ip of tailscale?.ips ?? []) if (dualStack || !ip.includes(":")) add("tailscale", httpEndpoint(ip, port));
      if (tailscale?.dnsName) add("magicdns", httpEndpoint(tailscale.dnsName, port));
    }
    for (const entry of options.advertised) add("advertised", advertisedEndpoint(entry, port));
    if (found.length === 0) add("loopback", httpEndpoint("127.0.0.1", port));
    return found;
  };

  return {
    addresses,
    /**
     * Origins a page of ours may come from: each address above, and this machine's own
     * addresses on the P2P port (a phone may have typed any of them).
     */
    ownOrigins(): Set<string> {
      // Read at most once a second (and after `refresh`): every page load and every Origin
      // check asks before any token is shown, and reading the interfaces and routes costs
      // ~120 µs, more than serving the file.
      if (origins && Date.now() - origins.at < ORIGINS_FOR_MS) return origins.set;
      const set = new Set(addresses().map((entry) => entry.url));
      for (const host of localAddresses()) set.add(`http://${host}:${options.port()}`);
      origins = { set, at: Date.now() };
      return set;
    },
    /** Asks tailscale again for this node's name and addresses (at start and on the heartbeat). */
    async refresh(): Promise<void> {
      // Bound to one address, the daemon answers there only: tailscale's would not.
      if (wildcard()) tailscale = await tailscaleSelf(options.tailscaleBinary);
      origins = null;
    },
  };
}

export type Reach = ReturnType<typeof createReach>;
