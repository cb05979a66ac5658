type Connection = { once(event: "close", listener: () => void): unknown };

/**
 * Counts authenticated connections (engine.io sessions whose socket joined "/" with the
 * token) against `max`; a slot frees when its connection closes. socket.io's own count
 * (`io.engine.clientsCount`) does not exist under bun-engine, and would count the
 * unauthenticated sessions too.
 */
export function createConnectionCap(max: number) {
  const counted = new WeakSet<object>();
  let open = 0;
  return {
    /** True when `conn` holds a slot, taking one if it has none yet and one is free. */
    admit(conn: Connection): boolean {
      if (counted.has(conn)) return true;
      if (open >= max) return false;
      counted.add(conn);
      open++;
      conn.once("close", () => open--);
      return true;
    },
  };
}
