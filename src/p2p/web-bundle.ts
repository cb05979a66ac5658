import { join } from "node:path";

/**
 * Builds the phone app (src/web/, which only the browser runs) with Bun's bundler into
 * the files the daemon serves: build.ts calls it to embed the app in the binary, and a
 * daemon started from source calls it on the first request (nothing is written to disk).
 * It reads the app's files by path; no code of ours imports the browser's folder.
 */
const WEB_APP = join(import.meta.dir, "..", "web");

export type WebFile = {
  /** URL path, e.g. /assets/main-3f2a1b.js or /index.html. */
  path: string;
  contentType: string;
  body: Uint8Array<ArrayBuffer>;
  /** Hashed names never change content: cache for a year. Others must be revalidated. */
  immutable: boolean;
};

const TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
  html: "text/html; charset=utf-8",
  webmanifest: "application/manifest+json",
};

const typeOf = (path: string) => TYPES[path.slice(path.lastIndexOf(".") + 1)] ?? "application/octet-stream";

export async function bundleWebApp(options: { minify?: boolean } = {}): Promise<WebFile[]> {
  const result = await Bun.build({
    entrypoints: [join(WEB_APP, "main.tsx")],
    target: "browser",
    format: "esm",
    // Code loaded on first use (syntax highlighting and its grammars) becomes chunks of
    // their own under /assets/, fetched by import() from the same origin ('self' in the CSP).
    splitting: true,
    minify: options.minify ?? true,
    naming: { entry: "[name]-[hash].[ext]", chunk: "[name]-[hash].[ext]", asset: "[name]-[hash].[ext]" },
    define: { "process.env.NODE_ENV": JSON.stringify("production") },
  });
  if (!result.success) throw new Error(`the web app did not build:\n${result.logs.map(String).join("\n")}`);

  const files: WebFile[] = [];
  let script: string | null = null;
  for (const output of result.outputs) {
    if (output.path.endsWith(".map")) continue;
    const name = output.path.replace(/^.*[\\/]/, "");
    if (output.kind === "entry-point") script = `/assets/${name}`;
    files.push({ path: `/assets/${name}`, contentType: typeOf(name), body: new Uint8Array(await output.arrayBuffer()), immutable: true });
  }
  const icon = new Uint8Array(await Bun.file(join(WEB_APP, "icon.svg")).arrayBuffer());
  const iconPath = `/assets/icon-${Bun.hash(icon).toString(16).slice(0, 8)}.svg`;
  files.push({ path: iconPath, contentType: TYPES.svg!, body: icon, immutable: true });

  const styles = files.filter((f) => f.path.endsWith(".css"));
  if (!script) throw new Error("the web app build produced no script");
  const manifest = {
    name: "remcli",
    short_name: "remcli",
    description: "Drive the coding agents on your computer from this phone.",
    start_url: "/",
    scope: "/",
    display: "standalone",
    background_color: "#0f1115",
    theme_color: "#0b57d0",
    icons: [{ src: iconPath, sizes: "any", type: "image/svg+xml", purpose: "any maskable" }],
  };
  const encode = (text: string) => new TextEncoder().encode(text);
  files.push({ path: "/manifest.webmanifest", contentType: TYPES.webmanifest!, body: encode(JSON.stringify(manifest)), immutable: false });
  files.push({ path: "/index.html", contentType: TYPES.html!, body: encode(indexHtml(script, styles.map((s) => s.path), iconPath)), immutable: false });
  files.push(await bundleServiceWorker(options.minify ?? true, files.map((f) => f.path)));
  return files;
}

/**
 * The service worker (src/web/sw.ts) at /sw.js: a fixed path, since a worker's URL is
 * its identity and its scope (the whole app), and never cached for long, so the browser
 * picks up a new one. A classic script, not a module: older Safari runs only those.
 * It is given every other file of the app, to keep them for a page opened offline.
 */
async function bundleServiceWorker(minify: boolean, appFiles: string[]): Promise<WebFile> {
  const result = await Bun.build({
    entrypoints: [join(WEB_APP, "sw.ts")],
    target: "browser",
    format: "iife",
    minify,
    define: { "process.env.NODE_ENV": JSON.stringify("production"), REMCLI_APP_FILES: JSON.stringify(appFiles) },
  });
  const [output] = result.outputs;
  if (!result.success || !output) throw new Error(`the service worker did not build:\n${result.logs.map(String).join("\n")}`);
  return { path: "/sw.js", contentType: TYPES.js!, body: new Uint8Array(await output.arrayBuffer()), immutable: false };
}

function indexHtml(script: string, styles: string[], icon: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="color-scheme" content="light dark">
<meta name="theme-color" content="#0b57d0">
<meta name="referrer" content="no-referrer">
<title>remcli</title>
<link rel="manifest" href="/manifest.webmanifest">
<link rel="icon" href="${icon}" type="image/svg+xml">
<link rel="apple-touch-icon" href="${icon}">
<meta name="apple-mobile-web-app-capable" content="yes">
${styles.map((href) => `<link rel="stylesheet" href="${href}">`).join("\n")}
<script type="module" src="${script}"></script>
</head>
<body>
<div id="app"></div>
<noscript>remcli's phone app needs JavaScript.</noscript>
</body>
</html>
`;
}
