import { readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";

/** Interfaces a phone on the Wi-Fi cannot reach: containers, bridges, VMs, VPN tunnels. */
const VIRTUAL = /^(docker|br-|veth|virbr|vmnet|vboxnet|utun|tun|tap|zt|cni|flannel|lxc|lxd|podman|kube)/;

/** The interface of the default route on Linux (/proc/net/route, destination 0). */
function defaultRouteInterface(): string | null {
  try {
    const lines = readFileSync("/proc/net/route", "utf8").split("\n").slice(1);
    for (const line of lines) {
      const [name, destination] = line.trim().split(/\s+/);
      if (destination === "00000000" && name) return name;
    }
  } catch {
    // Not Linux: fall back to the order of the interfaces.
  }
  return null;
}

/** Tailscale hands out 100.64.0.0/10 (CGNAT space) on IPv4 and fd7a:115c:a1e0::/48 on IPv6. */
export function isTailscaleAddress(address: string): boolean {
  const v4 = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(address);
  if (v4) return Number(v4[1]) === 100 && Number(v4[2]) >= 64 && Number(v4[2]) <= 127;
  return /^fd7a:115c:a1e0:/i.test(address);
}

/** Link-local IPv6 (fe80::/10) needs a zone id, which browsers do not take in a URL. */
const isLinkLocal6 = (address: string) => /^fe[89ab][0-9a-f]:/i.test(address);

export type InterfaceAddress = { kind: "lan" | "lan6" | "tailscale"; address: string };

/**
 * This machine's addresses a phone might dial, best first: the default route's IPv4,
 * other LAN IPv4, LAN IPv6, then Tailscale's. Loopback, virtual interfaces and link-local
 * IPv6 are left out.
 */
export function interfaceAddresses(): InterfaceAddress[] {
  const preferred = defaultRouteInterface();
  const found: Array<InterfaceAddress & { rank: number }> = [];
  for (const [name, entries] of Object.entries(networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (entry.internal) continue;
      if (isTailscaleAddress(entry.address)) {
        found.push({ kind: "tailscale", address: entry.address, rank: entry.family === "IPv4" ? 4 : 5 });
        continue;
      }
      if (VIRTUAL.test(name)) continue;
      if (entry.family === "IPv4") found.push({ kind: "lan", address: entry.address, rank: name === preferred ? 0 : 1 });
      else if (!isLinkLocal6(entry.address)) found.push({ kind: "lan6", address: entry.address, rank: name === preferred ? 2 : 3 });
    }
  }
  return found.sort((a, b) => a.rank - b.rank).map(({ kind, address }) => ({ kind, address }));
}

/** The IPv4 address a phone on the same network can most likely reach, or null. */
export function lanAddress(): string | null {
  return interfaceAddresses().find((entry) => entry.kind === "lan")?.address ?? null;
}

/** Every address of this machine, for recognising our own origin. */
export function localAddresses(): Set<string> {
  const found = new Set(["127.0.0.1", "localhost", "[::1]"]);
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) found.add(entry.family === "IPv6" ? `[${entry.address}]` : entry.address);
  }
  return found;
}
