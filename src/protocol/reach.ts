import { z } from "zod";

/**
 * Every address a phone might reach the daemon at (remcli extension, see
 * docs/protocol-extensions.md "Every way in"). The daemon lists them for `daemon qr`,
 * `daemon status --json` and the pairing fragment; the web app tries them in order.
 */
export const ReachKind = z.enum(["tunnel", "tailscale-https", "bound", "lan", "lan6", "tailscale", "magicdns", "advertised", "loopback"]);
export type ReachKind = z.infer<typeof ReachKind>;

/** An endpoint as a client dials it: `http://host:port` (IPv6 bracketed) or an https URL, no path. */
export const Endpoint = z
  .string()
  .max(2048)
  .refine((text) => {
    try {
      const url = new URL(text);
      return (url.protocol === "http:" || url.protocol === "https:") && url.pathname === "/" && !url.search && !url.hash && !url.username && !text.endsWith("/");
    } catch {
      return false;
    }
  }, "an http(s) origin without a path");

export const ReachAddress = z.object({ kind: ReachKind, url: Endpoint });
export type ReachAddress = z.infer<typeof ReachAddress>;

/** A host as it goes into a URL: an IPv6 literal in brackets, anything else as it is. */
export function urlHost(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/** `http://host:port`, the IPv6 literal bracketed (`http://[::1]:40137`). */
export function httpEndpoint(host: string, port: number): string {
  return `http://${urlHost(host)}:${port}`;
}
