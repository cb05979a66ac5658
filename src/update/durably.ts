import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";

/**
 * Opens `path`, lets `write` fill it (a new executable with "w"), and fsyncs it before
 * closing — a file's bytes, or with "r" on a directory, its entries after a rename.
 */
export function durably(path: string, flags: "w" | "r", write: (fd: number) => void = () => {}): void {
  const fd = openSync(path, flags, 0o755);
  try {
    write(fd);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * `durably(path, "w")` for bytes that arrive in pieces (a download). Written through our
 * own descriptor, closed before this returns: the file is run next, and Linux refuses to
 * run a file still open for writing (ETXTBSY), which `Bun.write` of a stream left it.
 */
export async function durablyFrom(path: string, chunks: AsyncIterable<Uint8Array>): Promise<void> {
  const fd = openSync(path, "w", 0o755);
  try {
    for await (const chunk of chunks) {
      for (let done = 0; done < chunk.byteLength; ) done += writeSync(fd, chunk, done);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
