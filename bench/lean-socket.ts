/**
 * A socket.io connection to the default namespace, written by hand over Bun's WebSocket:
 * engine.io's open and ping answered, the join sent with `token` and `auth`, every other
 * frame handed to `onFrame`. Costs a fraction of socket.io-client per message, so a bench
 * that uses it measures the server, not its client.
 */
export function connectLean(
  base: string,
  token: string,
  auth: Record<string, unknown>,
  onFrame: (frame: string) => void = () => {},
): { ws: WebSocket; joined: Promise<WebSocket> } {
  const ws = new WebSocket(`${base.replace(/^http/, "ws")}/v1/updates/?EIO=4&transport=websocket`);
  const joined = new Promise<WebSocket>((resolve, reject) => {
    ws.onmessage = (event) => {
      const frame = String(event.data);
      if (frame === "2") return ws.send("3"); // engine.io ping → pong
      if (frame.startsWith("0")) return ws.send(`40${JSON.stringify({ token, ...auth })}`); // open → join "/"
      if (frame.startsWith("40")) return resolve(ws);
      if (frame.startsWith("44")) return reject(new Error(`lean connect refused: ${frame}`));
      onFrame(frame);
    };
    ws.onerror = () => reject(new Error("lean socket error"));
  });
  return { ws, joined };
}
