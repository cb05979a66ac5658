import type { Server as Engine } from "@socket.io/bun-engine";
import type { Packet } from "@socket.io/bun-engine/dist/parser.js";

function packetBytes(packet: Packet): number {
  const { data } = packet;
  if (data === undefined) return 1;
  return typeof data === "string" ? data.length : data.byteLength;
}

/**
 * Drops a connection whose unsent packets pass `maxBytes`. Over a WebSocket, Bun itself
 * counts what the peer has not read yet (`backpressureLimit` with
 * `closeOnBackpressureLimit`, set where the server is made); without that close it drops
 * the frames past its limit silently and keeps the socket. A polling client's packets wait
 * in engine.io's write buffer until it polls again, which one that never polls does not:
 * that buffer is counted here, from each packet queued to the flush that hands it to the
 * transport. bun-engine has no option for either.
 */
export function boundPollingQueues(engine: Engine, maxBytes: number): void {
  engine.on("connection", (conn) => {
    let queued = 0;
    conn.on("flush", () => (queued = 0));
    conn.on("packetCreate", (packet) => {
      queued += packetBytes(packet);
      // Closing the transport closes the session at once; `conn.close()` would wait for
      // a drain that never comes.
      if (queued > maxBytes) conn.transport.close();
    });
  });
}
