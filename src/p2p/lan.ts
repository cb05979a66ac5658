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

/** The IPv4 address a phone on the same network can most likely reach, or null. */
export function lanAddress(): string | null {
  const preferred = defaultRouteInterface();
  const candidates: Array<{ name: string; address: string }> = [];
  for (const [name, entries] of Object.entries(networkInterfaces())) {
    if (VIRTUAL.test(name)) continue;
    for (const entry of entries ?? []) {
      if (entry.family === "IPv4" && !entry.internal) candidates.push({ name, address: entry.address });
    }
  }
  const best = candidates.find((c) => c.name === preferred) ?? candidates[0];
  return best?.address ?? null;
}

/** Every address of this machine, for recognising our own origin. */
export function localAddresses(): Set<string> {
  const found = new Set(["127.0.0.1", "localhost", "[::1]"]);
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) found.add(entry.family === "IPv6" ? `[${entry.address}]` : entry.address);
  }
  return found;
}
