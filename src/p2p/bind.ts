import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { Log } from "../shared/log.ts";
import { interfaceAddresses } from "./lan.ts";
import { describeHolder, portHolder } from "./port-holder.ts";

/** The P2P server cannot listen where it was asked to; the message says why and what to do. */
export class BindError extends Error {
  override name = "BindError";
}

const RESOLVE_TIMEOUT_MS = 3_000;
/** Listen everywhere: IPv6 and IPv4 on one socket, or IPv4 alone where IPv6 is off. */
export const EVERYWHERE = ["::", "0.0.0.0"] as const;

/** A host name must resolve here before we try to listen on it: Bun says only "address not available". */
export async function checkHost(host: string): Promise<void> {
  if (isIP(host) || (EVERYWHERE as readonly string[]).includes(host)) return;
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(Object.assign(new Error("timed out"), { code: "ETIMEOUT" })), RESOLVE_TIMEOUT_MS).unref());
  try {
    await Promise.race([lookup(host, { all: true }), timeout]);
  } catch (error) {
    const code = (error as { code?: string }).code ?? "no answer";
    throw new BindError(`cannot resolve --host ${host} (${code}); give an address of this machine, or :: for all of them`);
  }
}

function codeOf(error: unknown): string {
  return (error as { code?: string }).code ?? "";
}

function notHere(host: string): BindError {
  const mine = interfaceAddresses().map((entry) => entry.address);
  const list = ["127.0.0.1", ...mine].join(", ");
  return new BindError(`--host ${host} is not an address of this machine (EADDRNOTAVAIL); its addresses are ${list}, or :: for all of them`);
}

export type Bound = { server: Bun.Server<unknown>; hostname: string; moved: { from: number; holder: string } | null };

/**
 * Listens on `preferred` (0 for any port). A port the user named (`explicit`) that is taken
 * is an error naming who holds it; a remembered one that is taken moves to a free port, and
 * the caller says so loudly. An address that is not this machine's is never "port taken".
 */
export function bindPort({
  hostnames,
  preferred,
  explicit,
  serve,
  log,
}: {
  /** Tried in order while the address family is missing (`::` on a machine without IPv6). */
  hostnames: readonly string[];
  preferred: number;
  explicit: boolean;
  serve: (hostname: string, port: number) => Bun.Server<unknown>;
  log: Log;
}): Bound {
  for (const [index, hostname] of hostnames.entries()) {
    const last = index === hostnames.length - 1;
    try {
      return { server: serve(hostname, preferred), hostname, moved: null };
    } catch (error) {
      const code = codeOf(error);
      if (!last && (code === "EAFNOSUPPORT" || code === "EADDRNOTAVAIL")) continue;
      if (code === "EADDRNOTAVAIL") throw notHere(hostname);
      if (code === "EACCES") throw new BindError(`port ${preferred} needs privileges this user lacks (EACCES); pick one above 1023`);
      if (code !== "EADDRINUSE" || preferred === 0) throw new BindError(`cannot listen on ${hostname} port ${preferred}: ${(error as Error).message}`);
      const holder = describeHolder(portHolder(preferred));
      if (explicit) throw new BindError(`port ${preferred} is taken, ${holder}; stop it or pick another --port`);
      log.warn("p2p port taken, picking another", { port: preferred, holder });
      try {
        return { server: serve(hostname, 0), hostname, moved: { from: preferred, holder } };
      } catch (again) {
        throw new BindError(`cannot listen on ${hostname}: ${(again as Error).message}`);
      }
    }
  }
  throw new BindError("no address to listen on");
}
