import { readdirSync, readFileSync, readlinkSync } from "node:fs";

export type PortHolder =
  | { known: true; pid: number; command: string }
  /** Listening, but by a process we may not look into (another user's), or on a system we cannot read. */
  | { known: false; why: string };

const LISTEN = "0A";

/** Inodes of the sockets listening on `port` (TCP, IPv4 and IPv6), from /proc/net. */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [local, , state] = [fields[1], fields[2], fields[3]];
      if (local?.endsWith(`:${hexPort}`) && state === LISTEN && fields[9]) inodes.add(fields[9]);
    }
  }
  return inodes;
}

function commandOf(pid: string): string {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    return argv.slice(0, 4).join(" ").slice(0, 200) || "?";
  } catch {
    return "?";
  }
}

/**
 * Which process listens on `port`, when this machine lets us tell: on Linux the socket's
 * inode in /proc/net/tcp{,6}, then the process whose /proc/<pid>/fd links to it (only our
 * own user's processes can be read). Elsewhere: that we cannot tell.
 */
export function portHolder(port: number): PortHolder {
  if (process.platform !== "linux") return { known: false, why: "this system does not say which process holds a port (try `lsof -i :" + port + "`)" };
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return { known: false, why: "no listening socket found for it in /proc/net" };
  const wanted = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (wanted.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return { known: true, pid: Number(pid), command: commandOf(pid) };
      } catch {
        // Closed while we looked.
      }
    }
  }
  return { known: false, why: "it belongs to a process of another user, which we cannot look into" };
}

/** "held by pid 123 (python3 -m http.server 40137)", or why we cannot say. */
export function describeHolder(holder: PortHolder): string {
  return holder.known ? `held by pid ${holder.pid} (${holder.command})` : `we cannot tell which process holds it: ${holder.why}`;
}
