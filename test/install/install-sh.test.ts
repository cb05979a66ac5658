import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { generateKeyPairSync } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..", "..");
const VERSION = "1.0.0-install-sh";
const name = `remcli-${process.platform}-${process.arch}`;

let work = "";
let dist = "";
let buildError: string | null = null;

/** One signed build for the file, through build.ts as a release makes it: binary, SHA256SUMS, .sig and install.sh. */
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "remcli-install-sh-"));
  dist = join(work, "dist");
  const key = join(work, "release.key");
  writeFileSync(key, generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }), { mode: 0o600 });
  const built = Bun.spawnSync([process.execPath, join(ROOT, "build.ts"), "--outdir", dist, "--sign-key", key], {
    env: { ...process.env, REMCLI_VERSION: VERSION },
    stdout: "pipe",
    stderr: "pipe",
  });
  if (built.exitCode !== 0) buildError = `build.ts failed: ${built.stderr.toString().trim()}`;
}, 180_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The release folder over http on loopback, each file replaceable by the test (an attacker's mirror). */
function releaseServer(overrides: Record<string, Buffer | string | null> = {}) {
  const hits: string[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(request) {
      const file = new URL(request.url).pathname.slice(1);
      hits.push(file);
      if (file in overrides) {
        const body = overrides[file];
        return body === null || body === undefined ? new Response("not found", { status: 404 }) : new Response(typeof body === "string" ? body : new Uint8Array(body));
      }
      const path = join(dist, file);
      return /^[\w.-]+$/.test(file) && existsSync(path) ? new Response(Bun.file(path)) : new Response("not found", { status: 404 });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, hits, [Symbol.dispose]: () => server.stop(true) };
}

type Ran = { code: number; stdout: string; stderr: string };

/** `curl -fsSL <url>/install.sh | sh -s -- <args>`, as the README says, with a home of its own. */
async function curlPipeSh(base: string, args: string[], env: Record<string, string> = {}): Promise<Ran> {
  const home = join(work, `home-${Math.random().toString(36).slice(2)}`);
  mkdirSync(home);
  const child = Bun.spawn(["sh", "-c", `curl -fsSL "$BASE/install.sh" | sh -s -- "$@"`, "sh", ...args], {
    env: { PATH: process.env.PATH!, HOME: home, BASE: base, REMCLI_DOWNLOAD_URL: base, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout, stderr: stderr.replaceAll(home, "$HOME") };
}

describe("install.sh", () => {
  test("picks this machine's binary, checks its SHA-256 and signature, installs it to ~/.local/bin and says what it did", async () => {
    if (buildError) throw new Error(buildError); // the host build works offline: a failed one is a failure
    using release = releaseServer();
    const home = join(work, "home-default");
    mkdirSync(home);
    const child = Bun.spawn(["sh", "-c", `curl -fsSL "$BASE/install.sh" | sh`], {
      env: { PATH: "/usr/bin:/bin", HOME: home, BASE: release.url, REMCLI_DOWNLOAD_URL: release.url },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const installed = join(home, ".local", "bin", "remcli");
    expect(readFileSync(installed).equals(readFileSync(join(dist, name)))).toBe(true);
    expect(Bun.spawnSync([installed, "--version"]).stdout.toString().trim()).toBe(VERSION);
    expect(stdout).toContain(`installed remcli ${VERSION} (${process.platform}-${process.arch}) to ${installed}`);
    expect(stdout).toMatch(/SHA-256 [0-9a-f]{64} matches SHA256SUMS; Ed25519 signature by release key [0-9a-f]{16} verified/);
    expect(stdout).toContain("is not on your PATH");
    expect(release.hits).toEqual(["install.sh", "SHA256SUMS", name, `${name}.sig`]);
  });

  test("--dir installs elsewhere, over an existing binary, and a folder on PATH needs no advice", async () => {
    if (buildError) throw new Error(buildError); // the host build works offline: a failed one is a failure
    using release = releaseServer();
    const dir = join(work, "bin-dir");
    mkdirSync(dir);
    writeFileSync(join(dir, "remcli"), "old");
    const ran = await curlPipeSh(release.url, ["--dir", dir], { PATH: `${dir}:${process.env.PATH}` });
    expect(ran.stderr).toBe("");
    expect(ran.code).toBe(0);
    expect(Bun.spawnSync([join(dir, "remcli"), "--version"]).stdout.toString().trim()).toBe(VERSION);
    expect(ran.stdout).not.toContain("not on your PATH");
  });

  test("an altered binary, an altered SHA256SUMS, a signature of other bytes or none at all install nothing", async () => {
    if (buildError) throw new Error(buildError); // the host build works offline: a failed one is a failure
    const binary = readFileSync(join(dist, name));
    const altered = Buffer.from(binary);
    altered[altered.length - 1] = altered[altered.length - 1]! ^ 1;
    const alteredSha = new Bun.CryptoHasher("sha256").update(altered).digest("hex");
    const sig = readFileSync(join(dist, `${name}.sig`), "utf8");
    const cases: Array<[string, Record<string, Buffer | string | null>, string]> = [
      ["altered binary", { [name]: altered }, `SHA-256 mismatch for ${name}`],
      ["altered sums", { [name]: altered, SHA256SUMS: `${alteredSha}  ${name}\n` }, `${name}.sig is for SHA-256`],
      [
        "re-signed statement with the old signature",
        { [name]: altered, SHA256SUMS: `${alteredSha}  ${name}\n`, [`${name}.sig`]: sig.replace(/^sha256 .*$/m, `sha256 ${alteredSha}`) },
        "does not verify under release key",
      ],
      ["no signature", { [`${name}.sig`]: null }, "the release is signed"],
      ["not listed", { SHA256SUMS: `${"0".repeat(64)}  remcli-other\n` }, `SHA256SUMS lists no ${name}`],
    ];
    for (const [what, overrides, message] of cases) {
      using release = releaseServer(overrides);
      const dir = join(work, `refused-${what.replaceAll(" ", "-")}`);
      const ran = await curlPipeSh(release.url, ["--dir", dir]);
      expect([what, ran.code]).toEqual([what, 1]);
      expect(ran.stderr).toContain(message);
      expect(existsSync(join(dir, "remcli"))).toBe(false);
    }
  });

  test("the script of an unsigned build checks SHA256SUMS alone and says so", async () => {
    if (buildError) throw new Error(buildError); // the host build works offline: a failed one is a failure
    // What build.ts writes with no signing key: the same script, no key in it.
    const unsigned = readFileSync(join(dist, "install.sh"), "utf8")
      .replace(/^KEY_ID=".*"$/m, 'KEY_ID=""')
      .replace(/^KEY_PEM="[^"]*"$/m, 'KEY_PEM=""');
    using release = releaseServer({ "install.sh": unsigned, [`${name}.sig`]: null });
    const dir = join(work, "unsigned");
    const ran = await curlPipeSh(release.url, ["--dir", dir]);
    expect(ran.stderr).toBe("");
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain("an unsigned build (no release key to check a signature against)");
    expect(release.hits).not.toContain(`${name}.sig`);
  });

  test("an https release that redirects to plain http is refused: nothing is fetched over http, nothing installed", async () => {
    if (buildError) throw new Error(buildError); // the host build works offline: a failed one is a failure
    // An https mirror (trusted through CURL_CA_BUNDLE) whose files answer with a redirect to http.
    const tls = join(work, "tls");
    mkdirSync(tls, { recursive: true });
    const made = Bun.spawnSync(
      ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
        "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", join(tls, "key.pem"), "-out", join(tls, "cert.pem")],
      { stderr: "pipe" },
    );
    if (made.exitCode !== 0) return console.warn(`skipped: openssl could not make a certificate: ${made.stderr.toString().trim()}`);
    using plain = releaseServer();
    const https = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      tls: { key: Bun.file(join(tls, "key.pem")), cert: Bun.file(join(tls, "cert.pem")) },
      fetch(request): Response {
        // /to-http/<file> redirects to the plain mirror, /to-https/<file> to /<file> here (as GitHub's releases do).
        const [, via, file] = /^\/(?:(to-https?)\/)?(.*)$/.exec(new URL(request.url).pathname)!;
        if (file === "install.sh" || via === undefined) return new Response(Bun.file(join(dist, file!)));
        return Response.redirect(via === "to-http" ? `${plain.url}/${file}` : `${request.url.slice(0, request.url.indexOf("/to-https/"))}/${file}`, 302);
      },
    });
    try {
      const followed = await curlPipeSh(`https://127.0.0.1:${https.port}/to-https`, ["--dir", join(work, "https-redirected")], { CURL_CA_BUNDLE: join(tls, "cert.pem") });
      expect(followed.stderr).toBe("");
      expect(followed.code).toBe(0);
      const dir = join(work, "redirected");
      const ran = await curlPipeSh(`https://127.0.0.1:${https.port}/to-http`, ["--dir", dir], { CURL_CA_BUNDLE: join(tls, "cert.pem") });
      expect(ran.code).toBe(1);
      expect(ran.stderr).toContain("could not download");
      expect(plain.hits).toEqual([]);
      expect(existsSync(join(dir, "remcli"))).toBe(false);
    } finally {
      https.stop(true);
    }
  });

  test("a plain-http mirror that is not loopback is refused, and so is an OS or CPU with no build", async () => {
    if (buildError) throw new Error(buildError); // the host build works offline: a failed one is a failure
    const script = join(dist, "install.sh");
    const http = Bun.spawnSync(["sh", script, "--base", "http://example.com/r", "--dir", join(work, "never")], { stderr: "pipe" });
    expect(http.exitCode).toBe(1);
    expect(http.stderr.toString()).toContain("downloads must be https (got http://example.com/r)");
    const fakes = join(work, "fake-uname");
    mkdirSync(fakes, { recursive: true });
    writeFileSync(join(fakes, "uname"), `#!/bin/sh\n[ "$1" = -s ] && echo Linux || echo riscv64\n`);
    chmodSync(join(fakes, "uname"), 0o755);
    const riscv = Bun.spawnSync(["sh", script, "--dir", join(work, "never")], { stderr: "pipe", env: { PATH: `${fakes}:${process.env.PATH}`, HOME: work } });
    expect(riscv.exitCode).toBe(1);
    expect(riscv.stderr.toString()).toContain("no remcli build for linux-riscv64");
    expect(existsSync(join(work, "never", "remcli"))).toBe(false);
  });
});
