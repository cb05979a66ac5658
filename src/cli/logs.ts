import { closeSync, openSync, readSync, statSync } from "node:fs";
import { tailLines } from "../shared/log-tail.ts";
import { sleep } from "../shared/time.ts";

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function readRange(file: string, from: number, to: number): string {
  const fd = openSync(file, "r");
  try {
    const buffer = Buffer.alloc(to - from);
    readSync(fd, buffer, 0, buffer.length, from);
    return buffer.toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** Prints the last `lines` lines, then (with follow) what is appended, until interrupted. */
export async function printLogs(file: string, { lines, follow }: { lines: number; follow: boolean }) {
  for (const line of tailLines(file, lines)) process.stdout.write(line + "\n");
  if (!follow) return;
  let offset = sizeOf(file);
  for (;;) {
    await sleep(200);
    const size = sizeOf(file);
    // A smaller file was rotated or truncated: start again from its beginning.
    if (size < offset) offset = 0;
    if (size > offset) {
      process.stdout.write(readRange(file, offset, size));
      offset = size;
    }
  }
}
