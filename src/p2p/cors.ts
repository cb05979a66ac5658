/**
 * CORS for our own origins only (the origin policy has already refused every other): a
 * page loaded from one of the daemon's addresses may call it at another, which is how the
 * app fails over from a dead address (docs/protocol-extensions.md "Every way in").
 */
const ALLOWED_HEADERS = "authorization, content-type";
const ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE";

function corsHeaders(origin: string): Record<string, string> {
  return { "access-control-allow-origin": origin, vary: "origin" };
}

/** The answer to a preflight, or null when `request` is not one. */
export function preflight(request: Request, origin: string | null): Response | null {
  if (!origin || request.method !== "OPTIONS" || !request.headers.has("access-control-request-method")) return null;
  const headers: Record<string, string> = {
    ...corsHeaders(origin),
    "access-control-allow-methods": ALLOWED_METHODS,
    "access-control-allow-headers": ALLOWED_HEADERS,
    "access-control-max-age": "600",
  };
  // Chrome's Private Network Access asks before a page reaches a more private address.
  if (request.headers.get("access-control-request-private-network") === "true") headers["access-control-allow-private-network"] = "true";
  return new Response(null, { status: 204, headers });
}

/** Lets the page at `origin` read `response`; a response whose headers are frozen is left as it is. */
export function withCors(response: Response, origin: string | null): Response {
  if (!origin) return response;
  try {
    for (const [name, value] of Object.entries(corsHeaders(origin))) {
      if (name === "vary") response.headers.append(name, value);
      else response.headers.set(name, value);
    }
  } catch {
    // Immutable headers: the browser then refuses to show it cross-origin, nothing worse.
  }
  return response;
}
