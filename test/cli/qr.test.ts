import { join } from "node:path";
import { describe, expect, test } from "bun:test";
import { renderQr } from "../../src/p2p/qr.ts";
import { startDaemon, type Daemon } from "../helpers/p2p.ts";

const ENTRY = join(import.meta.dir, "..", "..", "src", "main.ts");
const BLOCKS = /[█▀▄]/;

/** `remcli daemon qr` in a pseudo-terminal of `cols`×`rows`: what the terminal received, as lines. */
async function qrInTerminal(daemon: Daemon, cols: number, rows: number): Promise<string[]> {
  let output = "";
  const decoder = new TextDecoder();
  const child = Bun.spawn([process.execPath, ENTRY, "daemon", "qr"], {
    env: daemon.box.env,
    terminal: { cols, rows, data: (_terminal, chunk) => void (output += decoder.decode(chunk, { stream: true })) },
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  try {
    expect(await child.exited).toBe(0);
  } finally {
    clearTimeout(timer);
    child.terminal?.close();
  }
  return output.replace(/\r/g, "").replace(/\n+$/, "").split("\n");
}

/** The lines of the QR as drawn, and whether they are the last of the output (nothing can push them off). */
function qrLines(lines: string[]) {
  const first = lines.findIndex((line) => BLOCKS.test(line));
  const last = lines.findLastIndex((line) => BLOCKS.test(line));
  return { qr: first < 0 ? [] : lines.slice(first, last + 1), atEnd: last === lines.length - 1 };
}

describe("daemon qr", () => {
  test("into a pipe it prints the URL and the details, no blocks", async () => {
    await using daemon = await startDaemon();
    const piped = await daemon.box.cli(["daemon", "qr"]);
    expect(piped.code).toBe(0);
    const { url } = JSON.parse((await daemon.box.cli(["daemon", "qr", "--json"])).stdout);
    expect(piped.stdout).toContain(`  url   ${url}`);
    expect(piped.stdout).toContain(`  key   ${Buffer.from(daemon.secret).toString("base64")}`);
    expect(piped.stdout).not.toMatch(BLOCKS);
  });

  test("an 80×24 terminal shows a whole QR, the compact one, last; a tall one the full QR; a tiny one says to enlarge", async () => {
    await using daemon = await startDaemon();
    const { url, compactUrl } = JSON.parse((await daemon.box.cli(["daemon", "qr", "--json"])).stdout);
    const strip = (qr: string) => qr.split("\n").filter(Boolean);

    const small = await qrInTerminal(daemon, 80, 24);
    const shown = qrLines(small);
    expect(shown.qr).toEqual(strip(await renderQr(compactUrl)));
    expect(shown.atEnd).toBe(true);
    // The QR and the prompt after it fit the 24 rows; no line is wider than the terminal.
    expect(shown.qr.length + 1).toBeLessThanOrEqual(24);
    expect(Math.max(...shown.qr.map((line) => line.length))).toBeLessThanOrEqual(80);
    const full = strip(await renderQr(url));
    expect(small.join("\n")).toContain(`The full QR needs ${full.length + 1} rows and ${full[0]!.length} columns; this compact one opens the remcli web app`);
    expect(small.join("\n")).toContain(`  url   ${url}`);

    const tall = qrLines(await qrInTerminal(daemon, 100, 40));
    expect(tall.qr).toEqual(strip(await renderQr(url)));
    expect(tall.atEnd).toBe(true);

    const tiny = await qrInTerminal(daemon, 80, 15);
    expect(qrLines(tiny).qr).toEqual([]);
    expect(tiny.join("\n")).toContain(`This terminal is too small for the QR: make it at least ${shown.qr.length + 1} rows high`);
  });
});
