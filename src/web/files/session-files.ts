import { fromBase64, toBase64 } from "../../crypto/encoding.ts";
import {
  BashResponse,
  ListDirectoryResponse,
  ReadFileResponse,
  RipgrepResponse,
  WriteFileResponse,
  type DirectoryEntry,
} from "../../protocol/session-rpc.ts";
import type { Link } from "../sync/link.ts";

/** What one page of a file holds, and where it sits in the whole file. */
export type FilePage = { bytes: Uint8Array; offset: number; size: number; hash: string | null };

/** A writeFile refused because the file is no longer what was read (someone else saved it). */
export class StaleFile extends Error {
  override name = "StaleFile";
}

/**
 * A page is what one answer carries: 256 KiB decrypts in well under 0.1 s with the app's
 * pure-JS AES-GCM (about 0.25 s per MB on a modest machine), so a file opens at once.
 */
export const PAGE_BYTES = 256 * 1024;

const parsed = <T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } }, value: unknown, method: string): T => {
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(`the session answered ${method} in a shape this app does not know`);
  return result.data;
};

/** The session's file and shell RPCs, as this app uses them. */
export function sessionFiles(link: Link, sid: string) {
  const rpc = (name: string, params: unknown) => link.sessionRpc(sid, name, params, { whole: true });

  return {
    /** A shell command in the session directory; its answer also when it failed. */
    async bash(command: string, options: { timeout?: number } = {}): Promise<BashResponse> {
      return parsed(BashResponse, await rpc("bash", { command, ...options }), "bash");
    },

    /** One page of a file, from `offset`; a session that reads no ranges answers the whole file. */
    async read(path: string, offset = 0, length = PAGE_BYTES): Promise<FilePage> {
      const answer = parsed(ReadFileResponse, await rpc("readFile", { path, offset, length }), "readFile");
      if (!answer.success || answer.content === undefined) throw new Error(answer.error ?? `could not read ${path}`);
      const bytes = fromBase64(answer.content);
      if (!bytes) throw new Error(`the content of ${path} is not base64`);
      const ranged = answer.size !== undefined;
      return { bytes, offset: ranged ? offset : 0, size: answer.size ?? bytes.byteLength, hash: answer.hash ?? null };
    },

    /** Replaces a file that still has `expectedHash` (null: creates one); the new hash. */
    async write(path: string, bytes: Uint8Array, expectedHash: string | null): Promise<string> {
      const answer = parsed(WriteFileResponse, await rpc("writeFile", { path, content: toBase64(bytes), expectedHash }), "writeFile");
      if (answer.success && answer.hash) return answer.hash;
      const error = answer.error ?? `could not save ${path}`;
      if (/changed since it was read|already exists/.test(error)) throw new StaleFile(error);
      throw new Error(error);
    },

    async list(path: string): Promise<{ entries: DirectoryEntry[]; truncated: boolean }> {
      const answer = parsed(ListDirectoryResponse, await rpc("listDirectory", { path }), "listDirectory");
      if (!answer.success || !answer.entries) throw new Error(answer.error ?? `could not list ${path}`);
      return { entries: answer.entries, truncated: answer.truncated ?? false };
    },

    /** Every file of the session directory that git would not ignore (rg --files). */
    async allFiles(): Promise<string[]> {
      const answer = parsed(RipgrepResponse, await rpc("ripgrep", { args: ["--files"] }), "ripgrep");
      // Exit 1 ("nothing found", an empty folder) is still a success.
      if (!answer.success) throw new Error(answer.error ?? answer.stderr ?? "could not list the files");
      return (answer.stdout ?? "").split("\n").filter(Boolean).sort();
    },
  };
}

export type SessionFiles = ReturnType<typeof sessionFiles>;
