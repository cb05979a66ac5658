import { tmpdir } from "node:os";
import { z } from "zod";
import { runBounded } from "../shared/bounded-command.ts";
import type { Log } from "../shared/log.ts";

/** The part of `tailscale status --json` we read: this node's MagicDNS name and addresses. */
const Status = z.object({
  BackendState: z.string().optional(),
  Self: z
    .object({
      DNSName: z.string().max(253).optional(),
      TailscaleIPs: z.array(z.string().max(64)).max(16).optional(),
    })
    .optional(),
});

export type TailscaleSelf = { dnsName: string | null; ips: string[] };

const STATUS_TIMEOUT_MS = 3_000;
const SERVE_TIMEOUT_MS = 15_000;
/** The HTTPS port `tailscale serve` gives us: the default one, so the URL is just the name. */
const HTTPS_PORT = 443;

const run = (binary: string, args: string[], timeoutMs: number) =>
  runBounded([binary, ...args], { cwd: tmpdir(), timeoutMs, outputChars: 64 * 1024 });

/** A DNS name as the phone dials it: no trailing dot, letters, digits, dots and dashes only. */
function dnsNameOf(raw: string | undefined): string | null {
  const name = raw?.replace(/\.$/, "").toLowerCase() ?? "";
  return /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(name) ? name : null;
}

/** This node as tailscale sees it, or null when the CLI is missing, logged out or says nothing we can read. */
export async function tailscaleSelf(binary: string | null): Promise<TailscaleSelf | null> {
  if (!binary) return null;
  const outcome = await run(binary, ["status", "--json"], STATUS_TIMEOUT_MS);
  if (outcome.exitCode !== 0) return null;
  let json: unknown;
  try {
    json = JSON.parse(outcome.stdout);
  } catch {
    return null;
  }
  const parsed = Status.safeParse(json);
  if (!parsed.success || (parsed.data.BackendState && parsed.data.BackendState !== "Running")) return null;
  return { dnsName: dnsNameOf(parsed.data.Self?.DNSName), ips: parsed.data.Self?.TailscaleIPs ?? [] };
}

export type TailscaleServe = { url: string; close(): Promise<void> };
export type TailscaleServeResult = { ok: true; serve: TailscaleServe } | { ok: false; reason: string };

/**
 * HTTPS on this node's MagicDNS name through `tailscale serve`, proxying to the P2P
 * port: a secure origin (Web Push and WebCrypto work there) without a third party. Never
 * fatal: without it the daemon serves the LAN and says why.
 */
export async function serveTailscaleHttps({ binary, target, log }: { binary: string | null; target: string; log: Log }): Promise<TailscaleServeResult> {
  if (!binary) return { ok: false, reason: "the tailscale CLI is not on PATH (install Tailscale: tailscale.com/download); serving without it" };
  const self = await tailscaleSelf(binary);
  if (!self?.dnsName) return { ok: false, reason: "tailscale is not running or logged in here (`tailscale up`), or MagicDNS is off; serving without it" };
  const outcome = await run(binary, ["serve", "--bg", `--https=${HTTPS_PORT}`, target], SERVE_TIMEOUT_MS);
  if (outcome.exitCode !== 0) {
    const why = (outcome.error ?? outcome.stderr.trim().split("\n").slice(-3).join(" ")) || `exit ${outcome.exitCode}`;
    log.warn("tailscale serve failed", { why });
    return { ok: false, reason: `\`tailscale serve\` refused (${why}); is HTTPS enabled for the tailnet? Serving without it` };
  }
  const url = `https://${self.dnsName}`;
  log.info("tailscale serve on", { url, target });
  return {
    ok: true,
    serve: {
      url,
      async close() {
        const off = await run(binary, ["serve", `--https=${HTTPS_PORT}`, "off"], SERVE_TIMEOUT_MS);
        if (off.exitCode === 0) log.info("tailscale serve off", { url });
        else log.warn("tailscale serve off failed", { stderr: off.stderr.trim().slice(0, 300) });
      },
    },
  };
}
