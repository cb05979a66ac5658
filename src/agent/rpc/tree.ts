import type { Dirent } from "node:fs";
import { lstat, readdir, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { FILE_RPC_LIMITS, type GetDirectoryTreeResponse, type TreeNode } from "../../protocol/session-rpc.ts";
import { foldersFirst } from "./order.ts";
import type { SessionRoot } from "./paths.ts";

/** Folders listed at the same time. */
const PARALLEL = 16;

type Open = { node: TreeNode; real: string };

/**
 * The tree under `path`, `maxDepth` levels deep, level by level: when it reaches its size
 * budget (FILE_RPC_LIMITS.treeChars of JSON) the upper levels are complete and it says
 * `truncated`. Symlinks are left out (they may point anywhere); `.git` is shown, not opened.
 */
export async function directoryTree(root: SessionRoot, path: string, maxDepth: number): Promise<{ answer: GetDirectoryTreeResponse; nodes: number }> {
  const real = await root.confine(path);
  const info = await stat(real);
  const top: TreeNode = nodeOf(basename(resolve(root.directory, path)), path, info);
  let budget = FILE_RPC_LIMITS.treeChars - JSON.stringify(top).length;
  let nodes = 1;
  let truncated = false;
  let level: Open[] = info.isDirectory() ? [{ node: top, real }] : [];

  for (let depth = 0; depth < maxDepth && level.length > 0 && !truncated; depth++) {
    const next: Open[] = [];
    const listed = await inBatches(level, PARALLEL, async (dir) => ({ dir, children: await childrenOf(dir) }));
    for (const { dir, children } of listed) {
      dir.node.children = [];
      for (const child of children) {
        budget -= jsonSize(child.node);
        if (budget < 0) {
          truncated = true;
          break;
        }
        dir.node.children.push(child.node);
        nodes++;
        if (child.node.type === "directory" && child.node.name !== ".git") next.push(child);
      }
      if (truncated) break;
    }
    level = next;
  }
  return { answer: truncated ? { success: true, tree: top, truncated } : { success: true, tree: top }, nodes };
}

function nodeOf(name: string, path: string, info: { isDirectory(): boolean; size: number; mtimeMs: number }): TreeNode {
  return { name, path, type: info.isDirectory() ? "directory" : "file", size: info.size, modified: Math.round(info.mtimeMs) };
}

async function childrenOf(dir: Open): Promise<Open[]> {
  const dirents = await readdir(dir.real, { withFileTypes: true }).catch((): Dirent[] => []);
  const kept = dirents.filter((d) => d.isDirectory() || d.isFile());
  const children = await Promise.all(
    kept.map(async (d) => {
      const real = join(dir.real, d.name);
      const info = await lstat(real).catch(() => null);
      return info ? { node: nodeOf(d.name, join(dir.node.path, d.name), info), real } : null;
    }),
  );
  return children
    .filter((child): child is Open => child !== null)
    .sort((a, b) => foldersFirst(a.node, b.node));
}

/** A node's JSON length without its children, plus room for `"children":[]` and a comma. */
const jsonSize = (node: TreeNode) => JSON.stringify(node.name).length + JSON.stringify(node.path).length + 100;

async function inBatches<T, R>(items: T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) results.push(...(await Promise.all(items.slice(i, i + size).map(run))));
  return results;
}
