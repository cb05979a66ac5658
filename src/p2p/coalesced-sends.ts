import { Parser, type Packet, type RawData } from "@socket.io/bun-engine/dist/parser.js";
import { WS } from "@socket.io/bun-engine/dist/transports/websocket.js";

type Queue = { frames: RawData[]; bytes: number; scheduled: boolean };
type Transport = { writable: boolean; socket?: Bun.ServerWebSocket<unknown> };

export type SendBounds = {
  /** Bytes one websocket may have unsent (in this queue and in Bun's) before it is dropped. */
  maxUnsentBytes: number;
  /** Frames move from the queue to Bun only while Bun holds less than this for the socket. */
  handOverBytes: number;
};

const queues = new WeakMap<object, Queue>();
let bounds: SendBounds = { maxUnsentBytes: Infinity, handOverBytes: Infinity };

const frameBytes = (frame: RawData) => (typeof frame === "string" ? frame.length : frame.byteLength);

/**
 * A broadcast hands every socket the same packet data; encoding it once keeps one frame
 * string for all of them (a queued frame then costs a reference, not a copy).
 */
let last: { data: RawData | undefined; frame: RawData } | null = null;
function encode(packet: Packet): RawData {
  if (packet.type === "message" && last && last.data === packet.data) return last.frame;
  const frame = Parser.encodePacket(packet, true);
  if (packet.type === "message") last = { data: packet.data, frame };
  return frame;
}

/** Hands queued frames to Bun, in one corked write, while Bun's own buffer for the socket is short. */
function flush(transport: Transport, everything = false): void {
  const queue = queues.get(transport);
  if (!queue || queue.frames.length === 0) return;
  const ws = transport.socket;
  if (!transport.writable || ws?.readyState !== WebSocket.OPEN) {
    queue.frames = [];
    queue.bytes = 0;
    return;
  }
  let sent = 0;
  ws.cork(() => {
    while (sent < queue.frames.length && (everything || ws.getBufferedAmount() < bounds.handOverBytes)) {
      const frame = queue.frames[sent++]!;
      queue.bytes -= frameBytes(frame);
      ws.send(frame);
    }
  });
  queue.frames = sent === queue.frames.length ? [] : queue.frames.slice(sent);
}

/** Bun's `drain` for a websocket of the engine: its peer read, so more may go. */
export function drainWebSocket(ws: Bun.ServerWebSocket<{ transport: object }>): void {
  flush(ws.data.transport as Transport);
}

let installed = false;

/**
 * Replaces the send of @socket.io/bun-engine's websocket transport, which sends frame by
 * frame and without regard to the peer (its source marks cork as a TODO):
 * - every frame for one websocket within one turn of the event loop goes out in a single
 *   corked write. A committed batch of messages acks each sender and updates each phone
 *   once per message; sent one syscall per frame, those writes were the daemon's largest
 *   cost (bench/p2p.ts: ~14k → ~20k msg/s with 64 in flight);
 * - frames wait here, not in Bun, while Bun already holds `handOverBytes` the peer has not
 *   read, and `drainWebSocket` sends on. Here they are shared strings (see `encode`):
 *   twenty readers that stopped reading cost twenty references to each broadcast, not
 *   twenty copies;
 * - a socket with more than `maxUnsentBytes` unsent is terminated: the peer reconnects
 *   and catches up from history, the daemon does not hold its backlog.
 * Frames are flushed before a close, so that a final disconnect packet is never lost.
 * Installed once per process; the latest bounds apply.
 */
export function coalesceWebSocketSends(next: SendBounds): void {
  bounds = next;
  if (installed) return;
  installed = true;
  const prototype = WS.prototype as unknown as { send(packets: Packet[]): void; doClose(): void };
  const close = prototype.doClose;
  prototype.send = function (this: Transport, packets: Packet[]) {
    let queue = queues.get(this);
    if (!queue) queues.set(this, (queue = { frames: [], bytes: 0, scheduled: false }));
    for (const packet of packets) {
      const frame = encode(packet);
      queue.frames.push(frame);
      queue.bytes += frameBytes(frame);
    }
    if (queue.bytes + (this.socket?.getBufferedAmount() ?? 0) > bounds.maxUnsentBytes) {
      queue.frames = [];
      queue.bytes = 0;
      this.socket?.terminate();
      return;
    }
    if (queue.scheduled) return;
    queue.scheduled = true;
    queueMicrotask(() => {
      queue.scheduled = false;
      flush(this);
    });
  };
  prototype.doClose = function (this: Transport) {
    flush(this, true);
    close.call(this);
  };
}
