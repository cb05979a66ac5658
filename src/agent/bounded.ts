const MAX_DEPTH = 32;

/**
 * A copy of `value` with every string longer than `maxChars` cut (and marked), for
 * payloads that must fit the wire limits — a huge file in a tool result must shrink
 * the message, not lose it. Nesting past a sane depth is cut too.
 */
export function truncateStrings(value: unknown, maxChars: number, depth = 0): unknown {
  if (typeof value === "string") {
    return value.length > maxChars ? `${value.slice(0, maxChars)}… [${value.length - maxChars} more characters not shown]` : value;
  }
  if (typeof value !== "object" || value === null) return value;
  if (depth >= MAX_DEPTH) return "[nested too deep]";
  if (Array.isArray(value)) return value.map((item) => truncateStrings(item, maxChars, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = truncateStrings(item, maxChars, depth + 1);
  return copy;
}

/** `value` itself when its JSON fits `maxBytes`, else a copy with long strings cut until it does. */
export function fitJson<T>(value: T, maxBytes: number): T {
  let limit = 64 * 1024;
  let candidate: unknown = value;
  while (Buffer.byteLength(JSON.stringify(candidate)) > maxBytes && limit >= 256) {
    candidate = truncateStrings(value, limit);
    limit = Math.floor(limit / 4);
  }
  return candidate as T;
}
