import type { FilePage } from "./session-files.ts";

/** A file as the viewer holds it: the text read so far and where that stops in the whole file. */
export type OpenedFile = {
  text: string;
  /** Lines in `text` (the last may be cut by the end of the page read so far). */
  lines: number;
  /** Bytes read, from the start. */
  loaded: number;
  size: number;
  /** sha256 of the whole file, when the whole file was read: what a save must still find. */
  hash: string | null;
  whole: boolean;
  /** Every byte read so far was valid UTF-8: only then can the text be saved back unchanged. */
  utf8: boolean;
  binary: boolean;
};

/** git's test: a NUL byte in the first 8,000 bytes makes a file binary. */
export function looksBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 8000).includes(0);
}

/**
 * Decodes a file page after page: a character cut by the end of one page is completed by
 * the next. Invalid UTF-8 is shown with replacement characters and marks the file.
 */
export function createTextReader() {
  const strict = new TextDecoder("utf-8", { fatal: true });
  const lenient = new TextDecoder("utf-8");
  let utf8 = true;
  return (page: FilePage): Omit<OpenedFile, "binary"> & { utf8: boolean } => {
    const end = page.offset + page.bytes.byteLength;
    const stream = end < page.size;
    let text: string;
    try {
      text = utf8 ? strict.decode(page.bytes, { stream }) : lenient.decode(page.bytes, { stream });
    } catch {
      utf8 = false;
      text = lenient.decode(page.bytes, { stream });
    }
    return { text, lines: text.split("\n").length, loaded: end, size: page.size, hash: page.hash, whole: page.offset === 0 && !stream, utf8 };
  };
}

/** The bytes to save for text edited in a textarea (which turns every line ending into \n). */
export function textToSave(edited: string, original: string): Uint8Array {
  const crlf = original.includes("\r\n");
  return new TextEncoder().encode(crlf ? edited.replace(/\r?\n/g, "\r\n") : edited);
}
