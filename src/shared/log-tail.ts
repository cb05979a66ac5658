import { closeSync, openSync, readSync, statSync } from "node:fs";

/** The last `count` lines of a log file, reading only its end. */
export function tailLines(file: string, count: number, maxBytes = 256 * 1024): string[] {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return [];
  }
  try {
    const size = statSync(file).size;
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString("utf8").split("\n");
    if (lines.at(-1) === "") lines.pop();
    return count <= 0 ? [] : lines.slice(-count);
  } finally {
    closeSync(fd);
  }
}
