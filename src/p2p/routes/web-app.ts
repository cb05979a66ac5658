import { Hono } from "hono";

const PLACEHOLDER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>remcli</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5">
<h1>remcli</h1>
<p>This daemon is running and paired by the QR code you scanned.</p>
<p>The web app for this version is not bundled yet; use the remcli phone app with the same QR code.</p>
</body></html>`;

/**
 * The web app's pages (open routes). Until the app is bundled, an honest placeholder:
 * every GET outside /v1 and /v2 serves it (SPA fallback), so the QR URL opens a page.
 */
export function webAppRoutes() {
  const app = new Hono();
  app.get("*", async (c, next) => {
    if (c.req.path.startsWith("/v1/") || c.req.path.startsWith("/v2/")) return next();
    return c.html(PLACEHOLDER, 200, { "cache-control": "no-cache" });
  });
  return app;
}
