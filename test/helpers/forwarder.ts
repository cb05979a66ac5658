import type { Socket, TCPSocketListener } from "bun";

type End = { peer: Socket<End> | null; queue: Uint8Array[] };

/**
 * A TCP forwarder on loopback: another address of a daemon that a test can take away at
 * once (`close()` drops every connection, as a network that went away does), and that
 * counts the connections it carried.
 */
export function forwarder({ host, port, target }: { host: string; port: number; target: { host: string; port: number } }) {
  const open = new Set<Socket<End>>();
  let accepted = 0;
  let frozen = false;
  const send = (to: Socket<End> | null, from: End, data: Uint8Array) => {
    if (frozen) return;
    if (!to) return void from.queue.push(data);
    const written = to.write(data);
    if (written < data.length) to.data.queue.unshift(data.subarray(written));
  };
  const flush = (socket: Socket<End>) => {
    while (socket.data.queue.length > 0) {
      const next = socket.data.queue.shift()!;
      const written = socket.write(next);
      if (written < next.length) return void socket.data.queue.unshift(next.subarray(written));
    }
  };
  const listener: TCPSocketListener<End> = Bun.listen<End>({
    hostname: host,
    port,
    socket: {
      open(client) {
        accepted++;
        client.data = { peer: null, queue: [] };
        open.add(client);
        if (frozen) return;
        void Bun.connect<End>({
          hostname: target.host,
          port: target.port,
          socket: {
            open(upstream) {
              upstream.data = { peer: client, queue: [] };
              open.add(upstream);
              client.data.peer = upstream;
              for (const chunk of client.data.queue.splice(0)) send(upstream, upstream.data, chunk);
            },
            data: (upstream, data) => send(upstream.data.peer, upstream.data, data),
            drain: flush,
            close(upstream) {
              open.delete(upstream);
              upstream.data.peer?.end();
            },
            error: () => {},
          },
        }).catch(() => client.end());
      },
      data: (client, data) => send(client.data.peer, client.data, data),
      drain: flush,
      close(client) {
        open.delete(client);
        client.data.peer?.end();
      },
      error: () => {},
    },
  });
  return {
    get accepted() {
      return accepted;
    },
    /**
     * Stops carrying anything, without closing a connection or refusing a new one: a
     * network that went away silently (packets dropped, no reset).
     */
    freeze() {
      frozen = true;
    },
    /** Stops listening and cuts every connection. */
    close() {
      listener.stop(true);
      for (const socket of open) socket.terminate();
      open.clear();
    },
    [Symbol.dispose]() {
      this.close();
    },
  };
}
