import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createSandbox, type CliResult } from "./sandbox.ts";

/**
 * `binary` installed as a user would: copied into a bin folder of its own home (a sandbox,
 * so every process it starts is killed at the end), `run` calling it as the CLI.
 */
export function installedBinary(binary: string, env: Record<string, string>) {
  const box = createSandbox(env);
  const bin = join(box.home, "bin");
  mkdirSync(bin);
  const install = join(bin, "remcli");
  copyFileSync(binary, install);
  const run = async (args: string[]): Promise<CliResult> => {
    const child = Bun.spawn([install, ...args], { env: box.env, stdout: "pipe", stderr: "pipe", stdin: "ignore" });
    const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    return { code, stdout, stderr };
  };
  const status = async () => JSON.parse((await run(["daemon", "status", "--json"])).stdout);
  return { box, bin, install, run, status };
}
