import { z } from "zod";

// The file and shell RPCs the app calls on a session (`<sid>:bash`, `readFile`, …) and on
// a machine (`<mid>:bash`), after decryption. Shapes as the reference app's
// sources/sync/ops.ts sends and reads them (PROTOCOL.md §4, §10); fields marked
// "(remcli extension)" are ours, and an app that does not know them ignores them.

/** Bounds of these RPCs: every answer must fit the daemon's 4 MiB RPC frame once encrypted. */
export const FILE_RPC_LIMITS = {
  /**
   * Largest file readFile answers and writeFile takes. Its bytes travel base64 inside
   * JSON that is encrypted and base64'd again (×16/9): 2 MiB becomes ~3.6 MiB on the
   * wire, under the 4 MiB of base64 (LIMITS.rpcParams) an RPC may carry either way.
   */
  fileBytes: 2 * 1024 * 1024,
  /** stdout and stderr of a command, each, as JSON text; more is cut and says how much. */
  outputChars: 1024 * 1024,
  /** A command's default timeout (the reference's), and the most a phone may ask for. */
  timeout: { defaultMs: 30_000, maxMs: 5 * 60_000 },
  /** Commands (bash, ripgrep) running at once in one session; one more is refused. */
  concurrentCommands: 4,
  /** listDirectory entries; a larger folder is cut (`truncated`). */
  directoryEntries: 10_000,
  /** getDirectoryTree: deepest level and the JSON size of the whole tree. */
  treeDepth: 20,
  treeChars: 2 * 1024 * 1024,
  path: 4096,
  command: 100_000,
  ripgrepArgs: 100,
} as const;

const Path = z
  .string()
  .min(1)
  .max(FILE_RPC_LIMITS.path)
  .refine((path) => !path.includes("\0"), "a path cannot contain a NUL byte");
const Timeout = z.number().int().positive().optional();

export const BashRequest = z.object({
  command: z.string().min(1).max(FILE_RPC_LIMITS.command),
  cwd: Path.optional(),
  /** Milliseconds. */
  timeout: Timeout,
});
export type BashRequest = z.infer<typeof BashRequest>;

/** `success` is exit code 0 (the app reads it so: gitStatusSync, createWorktree). */
export const BashResponse = z.object({
  success: z.boolean(),
  stdout: z.string(),
  stderr: z.string(),
  exitCode: z.number().int(),
  error: z.string().optional(),
});
export type BashResponse = z.infer<typeof BashResponse>;

/** The machine's `bash` (useCLIDetection, createWorktree): `cwd: "/"` means the user's home. */
export const MachineBashRequest = BashRequest;
export type MachineBashRequest = BashRequest;

export const ReadFileRequest = z.object({
  path: Path,
  /**
   * (remcli extension) A page of the file: `length` bytes (at most `fileBytes`) from
   * byte `offset`, of a file of any size. Without either, the whole file, up to `fileBytes`.
   */
  offset: z.number().int().min(0).optional(),
  length: z.number().int().positive().max(FILE_RPC_LIMITS.fileBytes).optional(),
});
export type ReadFileRequest = z.infer<typeof ReadFileRequest>;
export const ReadFileResponse = z.object({
  success: z.boolean(),
  /** The file's bytes (or the page asked for), base64. */
  content: z.string().optional(),
  /**
   * (remcli extension) sha256 hex of the whole file, the `expectedHash` of a later
   * writeFile; absent when `content` is only a part of it.
   */
  hash: z.string().optional(),
  /** (remcli extension) The whole file's size in bytes. */
  size: z.number().int().min(0).optional(),
  error: z.string().optional(),
});
export type ReadFileResponse = z.infer<typeof ReadFileResponse>;

const Base64 = z
  .string()
  .max(Math.ceil(FILE_RPC_LIMITS.fileBytes / 3) * 4, `content is larger than ${FILE_RPC_LIMITS.fileBytes} bytes`)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, "content is not base64");

/** `expectedHash`: the sha256 hex the file has now; null or absent: the file must not exist yet. */
export const WriteFileRequest = z.object({ path: Path, content: Base64, expectedHash: z.string().max(128).nullish() });
export type WriteFileRequest = z.infer<typeof WriteFileRequest>;
export const WriteFileResponse = z.object({ success: z.boolean(), hash: z.string().optional(), error: z.string().optional() });
export type WriteFileResponse = z.infer<typeof WriteFileResponse>;

export const ListDirectoryRequest = z.object({ path: Path });
export const DirectoryEntry = z.object({
  name: z.string(),
  type: z.enum(["file", "directory", "other"]),
  size: z.number().optional(),
  /** Milliseconds since the epoch. */
  modified: z.number().optional(),
});
export type DirectoryEntry = z.infer<typeof DirectoryEntry>;
export const ListDirectoryResponse = z.object({
  success: z.boolean(),
  entries: z.array(DirectoryEntry).optional(),
  /** (remcli extension) the folder held more entries than one answer carries. */
  truncated: z.boolean().optional(),
  error: z.string().optional(),
});
export type ListDirectoryResponse = z.infer<typeof ListDirectoryResponse>;

export const GetDirectoryTreeRequest = z.object({ path: Path, maxDepth: z.number().int().min(0).max(FILE_RPC_LIMITS.treeDepth) });
export type TreeNode = {
  name: string;
  /** The requested path joined with the names below it, so it can be passed back as is. */
  path: string;
  type: "file" | "directory";
  size?: number;
  modified?: number;
  /** Present on directories that were listed (above maxDepth, not `.git`). */
  children?: TreeNode[];
};
export const TreeNode: z.ZodType<TreeNode> = z.lazy(() =>
  z.object({
    name: z.string(),
    path: z.string(),
    type: z.enum(["file", "directory"]),
    size: z.number().optional(),
    modified: z.number().optional(),
    children: z.array(TreeNode).optional(),
  }),
);
export const GetDirectoryTreeResponse = z.object({
  success: z.boolean(),
  tree: TreeNode.optional(),
  /** (remcli extension) the tree was cut at its size budget; deeper levels go first. */
  truncated: z.boolean().optional(),
  error: z.string().optional(),
});
export type GetDirectoryTreeResponse = z.infer<typeof GetDirectoryTreeResponse>;

export const RipgrepRequest = z.object({
  args: z.array(z.string().max(FILE_RPC_LIMITS.path)).max(FILE_RPC_LIMITS.ripgrepArgs),
  cwd: Path.optional(),
});
export type RipgrepRequest = z.infer<typeof RipgrepRequest>;
/** `success` means the search ran; `exitCode` is rg's (0 found, 1 nothing found, 2 error). */
export const RipgrepResponse = z.object({
  success: z.boolean(),
  exitCode: z.number().int().optional(),
  stdout: z.string().optional(),
  stderr: z.string().optional(),
  error: z.string().optional(),
});
export type RipgrepResponse = z.infer<typeof RipgrepResponse>;
