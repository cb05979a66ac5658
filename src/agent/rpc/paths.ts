import { realpath } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";

export class PathOutsideSession extends Error {
  override name = "PathOutsideSession";
}

/**
 * The session's directory as the file RPCs see it. A path is resolved against it, then
 * through every symlink (for a file that does not exist yet, through its nearest
 * existing ancestor), and must land inside it: `..`, an absolute path elsewhere and a
 * symlink that points out are all refused, the same way.
 */
export function sessionRoot(directory: string) {
  const real = realpath(directory);
  // A directory gone before the first call fails that call, not the process.
  real.catch(() => {});

  return {
    directory,
    /** The real path `requested` names, inside the session directory, or PathOutsideSession. */
    async confine(requested: string): Promise<string> {
      const root = await real;
      const target = await realOrNearest(resolve(root, requested));
      if (!isInside(root, target)) {
        throw new PathOutsideSession(`Access denied: ${requested} is outside the session directory ${directory}`);
      }
      return target;
    },
    /** `path` relative to the session directory ("" for the directory itself). */
    async relative(path: string): Promise<string> {
      return relative(await real, path);
    },
  };
}

export type SessionRoot = ReturnType<typeof sessionRoot>;

export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (rel.split(sep)[0] !== ".." && !isAbsolute(rel));
}

/** realpath of `path`, or of its nearest existing ancestor joined with the names below it. */
async function realOrNearest(path: string): Promise<string> {
  const missing: string[] = [];
  for (let current = path; ; current = dirname(current)) {
    try {
      return join(await realpath(current), ...missing.reverse());
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || current === dirname(current)) throw error;
      missing.push(basename(current));
    }
  }
}
