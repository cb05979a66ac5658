import { describe, expect, test } from "bun:test";
import type { ClientPayload, ClientSocket, ServerToClient } from "../../src/protocol/events.ts";
import { clientEvents, serverEvents } from "../../src/protocol/events.ts";
import type { IoSocket } from "../../src/p2p/socket/io.ts";

// Type-level checks, in the manner of socket.io's tsd tests: `tsc --noEmit` (the first half of
// `npm test`) fails when a line marked @ts-expect-error compiles, i.e. when a wrong payload,
// a wrong ack or an unknown event name would be accepted. The functions are never called.

function clientSends(socket: ClientSocket) {
  socket.emit("message", { sid: "s", message: "c2lwaGVy", localId: "l" }, (ack) => ack.ok);
  // @ts-expect-error a message without its session id
  socket.emit("message", { message: "c2lwaGVy" });
  // @ts-expect-error metadata is an encrypted string, not an object
  socket.emit("update-metadata", { sid: "s", metadata: { path: "/" }, expectedVersion: 0 });
  // @ts-expect-error no such event
  socket.emit("rpc-cal", { method: "m", params: "" });
  socket.emit("session-alive", { sid: "s", time: 1 });
  // @ts-expect-error time is a number
  socket.emit("session-alive", { sid: "s", time: "now" });
  void socket.emitWithAck("rpc-call", { method: "m", params: "" }).then((ack) => {
    if (ack.ok) return ack.result;
    // @ts-expect-error a failed call has an error, not a result
    return ack.result;
  });
  void socket.emitWithAck("message", { sid: "s", message: "c" }).then((ack) => (ack.ok ? ack.seq : ack.error));
}

function clientListens(socket: ClientSocket) {
  socket.on("update", (update) => update.body.t);
  // @ts-expect-error an update has a body, not a payload
  socket.on("update", (update) => update.payload);
  // @ts-expect-error the server sends no such event
  socket.on("new-message", () => {});
}

function serverAnswers(socket: IoSocket) {
  socket.emit("rpc-error", { type: "register", error: "taken" });
  // @ts-expect-error rpc-error says which operation failed
  socket.emit("rpc-error", { error: "taken" });
  socket.emit("ephemeral", { type: "activity", id: "s", active: true, activeAt: 1, thinking: false });
  // @ts-expect-error the app requires `thinking` on activity
  socket.emit("ephemeral", { type: "activity", id: "s", active: true, activeAt: 1 });
  // @ts-expect-error the server cannot emit a client's event
  socket.emit("rpc-call", { method: "m", params: "" });
}

const everyPayload: ClientPayload<"usage-report"> = {
  key: "k",
  tokens: { total: 1, input: 1, output: 0, cache_creation: 0, cache_read: 0 },
  cost: { total: 0, input: 0, output: 0 },
};
const listener: ServerToClient["rpc-registered"] = (payload) => payload.method;

describe("the event table", () => {
  test("names every event once, with a payload or ack schema", () => {
    void [clientSends, clientListens, serverAnswers, everyPayload, listener];
    const names = [...Object.keys(clientEvents), ...Object.keys(serverEvents)];
    expect(new Set(names).size).toBe(names.length);
    for (const spec of [...Object.values(clientEvents), ...Object.values(serverEvents)]) {
      expect(spec.payload !== null || spec.ack !== null).toBe(true);
    }
  });
});
