import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { tailLines } from "../shared/log-tail.ts";
import { sleep } from "../shared/time.ts";

/** The file being followed: an open descriptor, so a rotated file can still be read to its end. */
type Followed = { fd: number; ino: number; offset: number };

function open(file: string, atEnd: boolean): Followed | null {
  try {
    const fd = openSync(file, "r");
    const { ino, size } = fstatSync(fd);
    return { fd, ino, offset: atEnd ? size : 0 };
  } catch {
    return null;
  }
}

const CHUNK = 1024 * 1024;

/** Prints what was appended since the last call, a chunk at a time. */
function drain(followed: Followed): void {
  const size = fstatSync(followed.fd).size;
  // Truncated in place: start again from its beginning.
  if (size < followed.offset) followed.offset = 0;
  while (followed.offset < size) {
    const buffer = Buffer.alloc(Math.min(CHUNK, size - followed.offset));
    const read = readSync(followed.fd, buffer, 0, buffer.length, followed.offset);
    if (read === 0) return;
    followed.offset += read;
    process.stdout.write(buffer.subarray(0, read));
  }
}

/**
 * Prints the last `lines` lines, then (with follow) what is appended, until interrupted.
 * Across a rotation (`daemon.log` renamed to `daemon.log.1`, a new `daemon.log`) it reads
 * the old file to its end, then the new one from its beginning, so no line is skipped.
 */
export async function printLogs(file: string, { lines, follow }: { lines: number; follow: boolean }) {
  let followed = follow ? open(file, true) : null;
  for (const line of tailLines(file, lines)) process.stdout.write(line + "\n");
  if (!follow) return;
  for (;;) {
    await sleep(200);
    if (followed) drain(followed);
    const current = statSync(file, { throwIfNoEntry: false });
    if (!current || current.ino === followed?.ino) continue;
    if (followed) closeSync(followed.fd);
    followed = open(file, false);
    if (followed) drain(followed);
  }
}
