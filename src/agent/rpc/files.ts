import { randomBytes } from "node:crypto";
import { lstat, open, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import {
  FILE_RPC_LIMITS,
  type DirectoryEntry,
  type ListDirectoryResponse,
  type ReadFileRequest,
  type ReadFileResponse,
  type WriteFileRequest,
  type WriteFileResponse,
} from "../../protocol/session-rpc.ts";
import { formatBytes } from "../../shared/bounded-command.ts";
import { foldersFirst } from "./order.ts";
import type { SessionRoot } from "./paths.ts";

export class FileRpcError extends Error {
  override name = "FileRpcError";
}

const sha256 = (bytes: Uint8Array) => new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
const tooLarge = (path: string, bytes: number) =>
  new FileRpcError(
    `${path} is ${formatBytes(bytes)}; files up to ${FILE_RPC_LIMITS.fileBytes / 1024 / 1024} MiB are read and written here (an RPC carries at most 4 MiB of base64)`,
  );

/**
 * The bytes of a regular file in the session directory, with their sha256; or, when the
 * request names a range, that page of a file of any size (without a hash: it would
 * mean reading all of a file the phone asked a page of).
 */
export async function readSessionFile(root: SessionRoot, request: ReadFileRequest): Promise<{ answer: ReadFileResponse; bytes: number }> {
  const { path } = request;
  const real = await root.confine(path);
  const info = await stat(real);
  if (info.isDirectory()) throw new FileRpcError(`${path} is a folder; list it with listDirectory`);
  if (!info.isFile()) throw new FileRpcError(`${path} is not a regular file`);
  const ranged = request.offset !== undefined || request.length !== undefined;
  if (ranged) return readPage(real, request.offset ?? 0, request.length ?? FILE_RPC_LIMITS.fileBytes);
  if (info.size > FILE_RPC_LIMITS.fileBytes) throw tooLarge(path, info.size);
  const bytes = await Bun.file(real).bytes();
  // It may have grown between the stat and the read.
  if (bytes.byteLength > FILE_RPC_LIMITS.fileBytes) throw tooLarge(path, bytes.byteLength);
  const answer = { success: true, content: Buffer.from(bytes).toString("base64"), hash: sha256(bytes), size: bytes.byteLength };
  return { answer, bytes: bytes.byteLength };
}

async function readPage(real: string, offset: number, length: number): Promise<{ answer: ReadFileResponse; bytes: number }> {
  const handle = await open(real, "r");
  try {
    const size = (await handle.stat()).size;
    const page = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
    const { bytesRead } = await handle.read(page, 0, page.byteLength, offset);
    const bytes = page.subarray(0, bytesRead);
    const whole = offset === 0 && bytesRead === size;
    const answer = { success: true, content: bytes.toString("base64"), size, ...(whole ? { hash: sha256(bytes) } : {}) };
    return { answer, bytes: bytesRead };
  } finally {
    await handle.close();
  }
}

/**
 * Writes a file with optimistic concurrency: `expectedHash` must be the sha256 the file
 * has now (null or absent: it must not exist yet). The bytes go to a temporary file in
 * the same folder, synced, then renamed over the file: a reader sees the old content
 * or the new, never half of it, and a failed write leaves the file as it was.
 */
export async function writeSessionFile(root: SessionRoot, request: WriteFileRequest): Promise<{ answer: WriteFileResponse; bytes: number }> {
  const { path, expectedHash } = request;
  const real = await root.confine(path);
  const bytes = Buffer.from(request.content, "base64");
  if (bytes.byteLength > FILE_RPC_LIMITS.fileBytes) throw tooLarge(path, bytes.byteLength);
  const folder = await stat(dirname(real)).catch(() => null);
  if (!folder?.isDirectory()) throw new FileRpcError(`the folder of ${path} does not exist`);

  const current = await stat(real).catch(() => null);
  if (current?.isDirectory()) throw new FileRpcError(`${path} is a folder`);
  if (expectedHash) {
    if (!current) throw new FileRpcError(`${path} does not exist but a hash was given; send no expectedHash to create it`);
    const actual = sha256(await Bun.file(real).bytes());
    if (actual !== expectedHash) {
      throw new FileRpcError(`${path} changed since it was read (its hash is ${actual}, not ${expectedHash}); read it again`);
    }
  } else if (current) {
    throw new FileRpcError(`${path} already exists; send its hash as expectedHash to replace it`);
  }

  const temp = join(dirname(real), `.${basename(real)}.remcli-${randomBytes(6).toString("hex")}.tmp`);
  try {
    const handle = await open(temp, "wx", 0o644);
    try {
      // The file keeps its mode (creation would apply the umask); a new one gets the umask's.
      if (current) await handle.chmod(current.mode & 0o7777);
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, real);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return { answer: { success: true, hash: sha256(bytes) }, bytes: bytes.byteLength };
}

/** A folder's entries, folders first, then by name; symlinks are `other` and not followed. */
export async function listSessionDirectory(root: SessionRoot, path: string): Promise<ListDirectoryResponse> {
  const real = await root.confine(path);
  const dirents = await readdir(real, { withFileTypes: true });
  dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const kept = dirents.slice(0, FILE_RPC_LIMITS.directoryEntries);
  const entries = await Promise.all(
    kept.map(async (dirent): Promise<DirectoryEntry> => {
      const type = dirent.isDirectory() ? "directory" : dirent.isFile() ? "file" : "other";
      const info = await lstat(join(real, dirent.name)).catch(() => null);
      return info ? { name: dirent.name, type, size: info.size, modified: Math.round(info.mtimeMs) } : { name: dirent.name, type };
    }),
  );
  entries.sort(foldersFirst);
  const fitting = withinChars(entries, FILE_RPC_LIMITS.treeChars);
  return dirents.length > fitting.length ? { success: true, entries: fitting, truncated: true } : { success: true, entries };
}

/** The first entries whose JSON fits `budget` characters (long names could outgrow an RPC frame). */
function withinChars<T>(entries: T[], budget: number): T[] {
  let left = budget;
  const index = entries.findIndex((entry) => (left -= JSON.stringify(entry).length + 1) < 0);
  return index === -1 ? entries : entries.slice(0, index);
}
