import { closeSync, fsyncSync, openSync } from "node:fs";

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
