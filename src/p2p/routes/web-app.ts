import { Hono, type Context } from "hono";
import { errorMessage } from "../../shared/errors.ts";
import { createWebAssetSource, type WebAsset, type WebAssetSource } from "../web-assets.ts";

/** One per process: the app's files do not change while the daemon runs. */
const sharedSource = createWebAssetSource();

const isApi = (path: string) => /^\/v[12](\/|$)/.test(path);

/** An origin as CSP sources: itself, and its WebSocket twin. */
function sourcesOf(origin: string): string[] {
  return [origin, origin.replace(/^http/, "ws")];
}

/**
 * A Content-Security-Policy that allows only this daemon: our own scripts and styles, no
 * inline code, no framing, and connections back to this host and to the daemon's other
 * addresses (REST and the WebSocket), where the app fails over to.
 */
function contentSecurityPolicy(host: string | undefined, ownOrigins: readonly string[]): string {
  const here = host && /^[A-Za-z0-9.\-:[\]]+$/.test(host) ? [`ws://${host}`, `wss://${host}`] : [];
  // CSP's host-source grammar has no IPv6 literal (Chrome ignores `http://[::1]:…` with a
  // warning): a page reaches an IPv6 address only as its own origin ('self').
  const others = ownOrigins.filter((origin) => /^https?:\/\/[A-Za-z0-9.\-:]+$/.test(origin)).flatMap(sourcesOf);
  const self = [...new Set([...here, ...others])].map((source) => ` ${source}`).join("");
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "manifest-src 'self'",
    // The service worker that shows Web Push notifications (/sw.js).
    "worker-src 'self'",
    `connect-src 'self'${self}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

function serve(c: Context, asset: WebAsset, ownOrigins: readonly string[]): Response {
  const headers: Record<string, string> = {
    "content-type": asset.contentType,
    "cache-control": asset.immutable ? "public, max-age=31536000, immutable" : "no-cache",
    etag: asset.etag,
    vary: "accept-encoding",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "content-security-policy": contentSecurityPolicy(c.req.header("host"), ownOrigins),
  };
  if (c.req.header("if-none-match") === asset.etag) return new Response(null, { status: 304, headers });
  const gzip = /\bgzip\b/.test(c.req.header("accept-encoding") ?? "");
  if (gzip) headers["content-encoding"] = "gzip";
  return new Response(gzip ? asset.gzip : asset.body, { status: 200, headers });
}

/**
 * The phone app (open routes, PROTOCOL.md §6): hashed files under /assets/ cached for
 * good, and index.html — never cached, so a new daemon version is picked up at once — for
 * `/`, `/terminal/connect` (the QR URL) and any other non-API GET (client-side routes).
 */
export function webAppRoutes(source: WebAssetSource = sharedSource, ownOrigins: () => Set<string> = () => new Set()) {
  const app = new Hono();
  app.get("*", async (c, next) => {
    const path = c.req.path;
    if (isApi(path)) return next();
    let assets;
    try {
      assets = await source();
    } catch (error) {
      return c.text(`The remcli web app could not be loaded: ${errorMessage(error)}`, 503, { "cache-control": "no-store" });
    }
    const asset = assets.get(path);
    const origins = [...ownOrigins()];
    if (asset) return serve(c, asset, origins);
    // A missing hashed file must not get index.html: the browser would run HTML as a script.
    if (path.startsWith("/assets/")) return c.text("Not found", 404);
    return serve(c, assets.index, origins);
  });
  return app;
}
