import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A `tailscale` executable on a PATH of its own: `status --json` answers as a logged-in
 * node named `laptop.tail1234.ts.net`, `serve` succeeds (or fails with `serveFails`), and
 * every call is recorded (its arguments, which hold no spaces) in `calls()`.
 */
export function fakeTailscale(dir: string, options: { serveFails?: string } = {}) {
  const bin = join(dir, "fake-tailscale-bin");
  mkdirSync(bin, { recursive: true });
  const log = join(bin, "calls.log");
  writeFileSync(log, "");
  const status = {
    BackendState: "Running",
    Self: { DNSName: "laptop.tail1234.ts.net.", TailscaleIPs: ["100.101.102.103", "fd7a:115c:a1e0::53"] },
    MagicDNSSuffix: "tail1234.ts.net",
  };
  const script = `#!/bin/sh
echo "$*" >> ${JSON.stringify(log)}
case "$1" in
  status) printf '%s\\n' ${JSON.stringify(JSON.stringify(status))} ;;
  serve) ${options.serveFails ? `echo ${JSON.stringify(options.serveFails)} >&2; exit 1` : "exit 0"} ;;
  *) exit 2 ;;
esac
`;
  const path = join(bin, "tailscale");
  writeFileSync(path, script);
  chmodSync(path, 0o755);
  return {
    /** PATH with the fake first, then the system's. */
    env: { PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}` },
    calls: (): string[][] =>
      readFileSync(log, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => line.split(" ")),
  };
}
