import { z } from "zod";
import { Endpoint, httpEndpoint } from "./reach.ts";

/**
 * What the QR carries in its URL fragment (PROTOCOL.md §1). The daemon builds it
 * (src/p2p/qr.ts), the web app parses it with this schema.
 */
export const PairingPayload = z.object({
  mode: z.literal("p2p"),
  host: z.string().min(1).max(2048),
  port: z.number().int().min(0).max(65535),
  key: z.string().min(1).max(200),
  v: z.number(),
  /**
   * (remcli extension) The daemon's other endpoints, best first, after the one `host`
   * and `port` name; the reference app ignores it (docs/protocol-extensions.md).
   * An entry that is not an http(s) origin is dropped, not fatal to the pairing.
   */
  alt: z
    .array(z.unknown())
    .max(32)
    .transform((list) => list.flatMap((entry) => (Endpoint.safeParse(entry).success ? [entry as string] : [])).slice(0, 16))
    .optional(),
});
export type PairingPayload = z.infer<typeof PairingPayload>;

/** Where a client talks to the daemon: `http://host:port`, or the tunnel URL itself when port is 0. */
export function pairingEndpoint(payload: Pick<PairingPayload, "host" | "port">): string {
  if (payload.port === 0) return payload.host.replace(/\/+$/, "");
  return httpEndpoint(payload.host, payload.port);
}
