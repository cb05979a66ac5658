#!/usr/bin/env bun
/**
 * Compiles remcli into single-file binaries with the version embedded.
 *   bun build.ts                      this machine only → dist/remcli-<os>-<arch> and dist/remcli
 *   bun build.ts --target linux-arm64 one target (or --target all)
 *   bun build.ts --outdir DIR         somewhere else (tests build into temp dirs)
 *   bun build.ts --sign-key FILE      sign each binary with this Ed25519 private key (PEM)
 * Beside the binaries, `<outdir>/npm/` gets the npm packages (build/npm-packages.ts): the
 * `remcli` launcher and one `remcli-<os>-<arch>` package per target built; and `install.sh`
 * (from build/install.sh) with this version, its download URL (REMCLI_RELEASE_URL, default
 * the GitHub release of this version) and the release key written in, for `curl … | sh`.
 * REMCLI_VERSION overrides the version from package.json (tests build "A" and "B");
 * REMCLI_SIGN_KEY may hold the signing key's PEM itself instead of --sign-key (CI secrets).
 * REMCLI_TEST_EXTRA_MIGRATION (tests only) appends one SQL step to the schema
 * migrations, so the upgrade tests get a "B" whose schema is newer than "A"'s.
 *
 * Each binary gets a random build id and, when signed, the public half of the signing
 * key embedded, and `<binary>.sig` written beside it (src/update/release-signature.ts):
 * that binary's `remcli update` then accepts binaries signed by the same key. Without
 * a key the build is unsigned, and says so: its updates need `--sha256`.
 *
 * The phone app (src/web/) is bundled first with Bun's bundler into hashed, gzipped
 * files, written as a generated module to a temp directory, and compiled into every
 * binary through the `remcli-embedded-web` import (src/p2p/web-assets.ts). Nothing is
 * generated inside the source tree: from source, the daemon bundles the app in memory.
 */
import { createHash, createPrivateKey, createPublicKey, randomBytes, type KeyObject } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import pkg from "./package.json" with { type: "json" };
import { compressWebFiles, embeddedModuleSource } from "./src/p2p/web-assets.ts";
import { keyIdOf, publicKeyOf, signRelease } from "./src/update/release-signature.ts";
import { bundleWebApp } from "./src/p2p/web-bundle.ts";
import { writeLauncherPackage, writePlatformPackage } from "./build/npm-packages.ts";
import { leanSessionPlugin } from "./build/lean-session.ts";

const TARGETS = ["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64", "windows-x64"] as const;
type Target = (typeof TARGETS)[number];

function hostTarget(): Target {
  const os = process.platform === "win32" ? "windows" : process.platform;
  const target = `${os}-${process.arch}`;
  if (!(TARGETS as readonly string[]).includes(target)) throw new Error(`unsupported host ${target}`);
  return target as Target;
}

const { values } = parseArgs({
  options: {
    target: { type: "string" },
    outdir: { type: "string", default: "dist" },
    "sign-key": { type: "string" },
  },
});
const host = hostTarget();
const requested = values.target ?? host;
if (requested !== "all" && !(TARGETS as readonly string[]).includes(requested)) {
  console.error(`unknown --target ${requested}; choose one of ${TARGETS.join(", ")} or all`);
  process.exit(2);
}
const targets: Target[] = requested === "all" ? [...TARGETS] : [requested as Target];
const version = process.env.REMCLI_VERSION ?? pkg.version;
const outdir = resolve(values.outdir);
mkdirSync(outdir, { recursive: true });

function signingKey(): { privateKey: KeyObject; publicKey: string } | null {
  const pem = values["sign-key"] ? readFileSync(values["sign-key"], "utf8") : process.env.REMCLI_SIGN_KEY;
  if (!pem) return null;
  try {
    const privateKey = createPrivateKey(pem);
    return { privateKey, publicKey: publicKeyOf(privateKey) };
  } catch (error) {
    console.error(`the signing key is not an Ed25519 private key in PEM (\`openssl genpkey -algorithm ed25519\`): ${error instanceof Error ? error.message : error}`);
    process.exit(2);
  }
}
const signer = signingKey();
if (signer) console.log(`signing with release key ${keyIdOf(signer.publicKey)}`);
else {
  // On stdout with the build's other lines: stderr stays for what went wrong.
  console.log(
    "UNSIGNED BUILD: no --sign-key or REMCLI_SIGN_KEY, so these binaries carry no release key and no .sig;\n" +
      "  `remcli update` run by them accepts only --sha256, and others can only install them with --sha256.",
  );
}

const webStarted = performance.now();
const webAssets = compressWebFiles(await bundleWebApp());
const webDir = mkdtempSync(join(tmpdir(), "remcli-web-"));
const webModule = join(webDir, "embedded-web.ts");
writeFileSync(webModule, embeddedModuleSource(webAssets));
process.on("exit", () => rmSync(webDir, { recursive: true, force: true }));
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const scripts = webAssets.filter((a) => a.path.endsWith(".js"));
console.log(
  `web app  ${webAssets.length} files  js ${kb(scripts.reduce((n, a) => n + a.body.length, 0))} (gzip ${kb(scripts.reduce((n, a) => n + a.gzip.length, 0))})  ${((performance.now() - webStarted) / 1000).toFixed(1)} s`,
);
/** Resolves the app's embedded-files import to the module generated above. */
const embedWebApp: Bun.BunPlugin = {
  name: "remcli-embedded-web",
  setup(build) {
    build.onResolve({ filter: /^remcli-embedded-web$/ }, () => ({ path: webModule }));
  },
};

/** build/install.sh with what it checks a download against filled in. */
function installScript(): string {
  const pem = signer
    ? createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: signer.publicKey }, format: "jwk" }).export({ type: "spki", format: "pem" }).toString().trim()
    : "";
  const url = process.env.REMCLI_RELEASE_URL ?? `https://github.com/remcli/remcli/releases/download/v${version}`;
  const fill: Record<string, string> = {
    __REMCLI_VERSION__: version,
    __REMCLI_DOWNLOAD_URL__: url,
    __REMCLI_KEY_ID__: signer ? keyIdOf(signer.publicKey) : "",
    __REMCLI_KEY_PEM__: pem,
  };
  return readFileSync(join(import.meta.dir, "build", "install.sh"), "utf8").replace(/__REMCLI_[A-Z_]+__/g, (name) => fill[name] ?? name);
}

const npmMeta = { version, description: pkg.description, license: "license" in pkg ? String(pkg.license) : undefined };
const sums: string[] = [];
let failed = 0;
for (const target of targets) {
  const file = join(outdir, `remcli-${target}${target.startsWith("windows") ? ".exe" : ""}`);
  const started = performance.now();
  const buildId = randomBytes(16).toString("hex");
  try {
    const result = await Bun.build({
      // The checkpoint worker is its own entry point: a compiled binary finds workers only so.
      entrypoints: [join(import.meta.dir, "src", "main.ts"), join(import.meta.dir, "src", "store", "checkpoint-worker.ts")],
      compile: { target: `bun-${target}` as Bun.Build.CompileTarget, outfile: file },
      define: {
        REMCLI_EMBEDDED_VERSION: JSON.stringify(version),
        REMCLI_EMBEDDED_BUILD_ID: JSON.stringify(buildId),
        REMCLI_EMBEDDED_RELEASE_KEY: JSON.stringify(signer?.publicKey ?? ""),
        REMCLI_WEB_EMBEDDED: "true",
        ...(process.env.REMCLI_TEST_EXTRA_MIGRATION
          ? { REMCLI_EMBEDDED_EXTRA_MIGRATION: JSON.stringify(process.env.REMCLI_TEST_EXTRA_MIGRATION) }
          : {}),
      },
      plugins: [embedWebApp, leanSessionPlugin(import.meta.dir)],
      minify: true,
      // Precompiled bytecode: the bundle (agent SDK, zod, socket.io, the app's server side)
      // took ~130 ms to parse on every start, `--version` included; with it, ~20 ms.
      // It costs ~8 MB of binary.
      bytecode: true,
      format: "esm",
    });
    if (!result.success) throw new Error(result.logs.map(String).join("\n"));
  } catch (error) {
    failed++;
    const why = error instanceof Error ? error.message : String(error);
    console.error(
      `build for ${target} failed: ${why.split("\n")[0]}` +
        (target === host ? "" : ` (cross-compiling ${target} needs its Bun runtime from the network)`),
    );
    continue;
  }
  const size = statSync(file).size;
  const digest = createHash("sha256").update(readFileSync(file)).digest("hex");
  sums.push(`${digest}  ${file.slice(outdir.length + 1)}`);
  const signature = signer ? signRelease({ version, buildId, sha256: digest }, signer.privateKey) : null;
  // A stale .sig of an earlier signed build would only confuse: it is removed.
  const placeSignature = (binary: string) =>
    signature ? writeFileSync(`${binary}.sig`, signature) : rmSync(`${binary}.sig`, { force: true });
  placeSignature(file);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`${file}  ${(size / 1024 / 1024).toFixed(1)} MB  version ${version}  build ${buildId}  ${signature ? "signed" : "UNSIGNED"}  ${seconds} s`);
  writePlatformPackage(outdir, target, file, npmMeta);
  if (target === host) {
    copyFileSync(file, join(outdir, "remcli"));
    // The statement names no file, so the copy's signature is the same text.
    placeSignature(join(outdir, "remcli"));
  }
}
if (sums.length > 0) writeFileSync(join(outdir, "SHA256SUMS"), sums.join("\n") + "\n");
if (sums.length > 0) writeFileSync(join(outdir, "install.sh"), installScript(), { mode: 0o755 });
// Every target, built here or not: a release publishes them all, and npm skips the others.
if (sums.length > 0) console.log(`npm packages in ${join(outdir, "npm")}: ${writeLauncherPackage(outdir, TARGETS, npmMeta).slice(outdir.length + 1)} and one per target built`);
process.exit(failed > 0 ? 1 : 0);
