import { Parser, type Packet, type RawData } from "@socket.io/bun-engine/dist/parser.js";
import { WS } from "@socket.io/bun-engine/dist/transports/websocket.js";

type Frames = { frames: RawData[]; scheduled: boolean };
type Transport = { writable: boolean; socket?: Bun.ServerWebSocket<unknown> };

const pending = new WeakMap<object, Frames>();

function flush(transport: Transport): void {
  const queued = pending.get(transport);
  if (!queued || queued.frames.length === 0) return;
  const frames = queued.frames;
  queued.frames = [];
  const ws = transport.socket;
  if (!transport.writable || ws?.readyState !== WebSocket.OPEN) return;
  ws.cork(() => {
    for (const frame of frames) ws.send(frame);
  });
}

let installed = false;

/**
 * Every frame for one websocket within one turn of the event loop goes out in a single
 * corked write. A committed batch of messages acks each sender and updates each phone
 * once per message; sent one syscall per frame, those writes were the daemon's largest
 * cost (bench/p2p.ts: ~14k → ~20k msg/s with 64 in flight). @socket.io/bun-engine's
 * transport sends frame by frame (its source marks cork as a TODO), so this replaces its
 * send with one that queues until the microtask checkpoint, and flushes before a close
 * so a final disconnect packet is never lost. Installed once per process.
 */
export function coalesceWebSocketSends(): void {
  if (installed) return;
  installed = true;
  const prototype = WS.prototype as unknown as { send(packets: Packet[]): void; doClose(): void };
  const close = prototype.doClose;
  prototype.send = function (this: Transport, packets: Packet[]) {
    let queued = pending.get(this);
    if (!queued) pending.set(this, (queued = { frames: [], scheduled: false }));
    for (const packet of packets) queued.frames.push(Parser.encodePacket(packet, true));
    if (queued.scheduled) return;
    queued.scheduled = true;
    queueMicrotask(() => {
      queued.scheduled = false;
      flush(this);
    });
  };
  prototype.doClose = function (this: Transport) {
    flush(this);
    close.call(this);
  };
}
