/**
 * The npm packages build.ts writes beside the binaries, under `<outdir>/npm/`:
 * - `remcli`: a tiny launcher (npm-launcher.cjs) whose optional dependencies are one
 *   package per target; npm installs only the one whose `os` and `cpu` match this machine.
 * - `remcli-<os>-<arch>`: that target's compiled binary in `bin/`.
 * `npm publish` each folder (the binaries first); `npm pack` makes the tarballs tests install.
 */
import { chmodSync, copyFileSync, linkSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

type Meta = { version: string; description: string; license?: string; repository?: unknown; homepage?: string };

const NPM_OS: Record<string, string> = { linux: "linux", darwin: "darwin", windows: "win32" };

export const platformPackage = (target: string) => `remcli-${target}`;

function writeJson(file: string, value: unknown) {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** One target's package: its binary, and the os/cpu that make npm pick it. */
export function writePlatformPackage(outdir: string, target: string, binary: string, meta: Meta): string {
  const [os, cpu] = target.split("-") as [string, string];
  const dir = join(outdir, "npm", platformPackage(target));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "bin"), { recursive: true });
  const file = os === "windows" ? "remcli.exe" : "remcli";
  // A hard link: the binary is 130 MB, and this folder is rewritten by every build anyway.
  try {
    linkSync(binary, join(dir, "bin", file));
  } catch {
    copyFileSync(binary, join(dir, "bin", file));
  }
  chmodSync(join(dir, "bin", file), 0o755);
  writeJson(join(dir, "package.json"), {
    name: platformPackage(target),
    version: meta.version,
    description: `The remcli binary for ${target}; installed by the remcli package, not on its own.`,
    ...(meta.license ? { license: meta.license } : {}),
    os: [NPM_OS[os]],
    cpu: [cpu],
    files: [`bin/${file}`],
    // Yarn PnP must unpack it: a binary cannot run from inside a zip.
    preferUnplugged: true,
  });
  writeFileSync(join(dir, "README.md"), `# ${platformPackage(target)}\n\nThe remcli binary for ${target}. Install \`remcli\` instead: \`npm install -g remcli\`.\n`);
  return dir;
}

/** The launcher package, depending on every target's package at this very version. */
export function writeLauncherPackage(outdir: string, targets: readonly string[], meta: Meta): string {
  const dir = join(outdir, "npm", "remcli");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "bin"), { recursive: true });
  copyFileSync(join(import.meta.dir, "npm-launcher.cjs"), join(dir, "bin", "remcli.cjs"));
  chmodSync(join(dir, "bin", "remcli.cjs"), 0o755);
  writeJson(join(dir, "package.json"), {
    name: "remcli",
    version: meta.version,
    description: meta.description,
    ...(meta.license ? { license: meta.license } : {}),
    bin: { remcli: "bin/remcli.cjs" },
    files: ["bin/remcli.cjs"],
    engines: { node: ">=16" },
    optionalDependencies: Object.fromEntries(targets.map((target) => [platformPackage(target), meta.version])),
  });
  writeFileSync(
    join(dir, "README.md"),
    `# remcli\n\n${meta.description}\n\n\`\`\`sh\nnpm install -g remcli\nremcli daemon start      # prints the QR: scan it with your phone\nremcli daemon install    # optional: start it at login, restart it after a crash\n\`\`\`\n`,
  );
  return dir;
}
