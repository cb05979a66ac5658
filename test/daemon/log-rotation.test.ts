import { describe, expect, test } from "bun:test";
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LOG_ROTATION } from "../../src/shared/log.ts";
import { startDaemon } from "../helpers/p2p.ts";
import { createSandbox, eventually } from "../helpers/sandbox.ts";
import { controlOf } from "../helpers/sessions.ts";

const mode = (file: string) => statSync(file).mode & 0o777;
const kb = (file: string) => `${Math.round(statSync(file).size / 1024)} KB`;
/** Exactly `bytes` bytes of lines: a first line that names them, then lines of 100 bytes. */
function filler(name: string, bytes: number): string {
  const rest = bytes - name.length - 1;
  const last = rest % 100;
  return `${name}\n${`${"x".repeat(99)}\n`.repeat(Math.floor(rest / 100))}${last > 0 ? `${"x".repeat(last - 1)}\n` : ""}`;
}
/** Whether `text` holds `part`, without printing megabytes when it does not. */
const holds = (text: string, part: string) => text.includes(part);

describe("log rotation", () => {
  test("daemon.log moves to daemon.log.1 at 10 MB, three older files are kept, every one 0600", async () => {
    await using box = createSandbox();
    const log = join(box.home, "logs", "daemon.log");
    mkdirSync(join(box.home, "logs"), { mode: 0o700 });
    // Just under the limit: the daemon's own first line takes it past.
    writeFileSync(log, filler("first-generation", LOG_ROTATION.maxBytes - 20), { mode: 0o600 });
    for (const n of [1, 2, 3]) writeFileSync(`${log}.${n}`, `older-${n}\n`, { mode: 0o600 });

    expect((await box.cli(["daemon", "start", "--host", "127.0.0.1", "--no-qr"])).code).toBe(0);
    const current = await eventually("daemon running in a fresh daemon.log", () => {
      const text = readFileSync(log, "utf8");
      return text.includes("daemon running") ? text : undefined;
    });
    expect(holds(current, "first-generation")).toBe(false);
    expect(readFileSync(`${log}.1`, "utf8").startsWith("first-generation\n")).toBe(true);
    expect(readFileSync(`${log}.2`, "utf8")).toBe("older-1\n");
    expect(readFileSync(`${log}.3`, "utf8")).toBe("older-2\n");
    expect(existsSync(`${log}.4`)).toBe(false);
    for (const file of [log, `${log}.1`, `${log}.2`, `${log}.3`]) expect({ file, mode: mode(file) }).toEqual({ file, mode: 0o600 });
    console.log(`rotation: daemon.log ${kb(log)}, daemon.log.1 ${kb(`${log}.1`)}, .2 and .3 the older ones, .4 none`);
  });

  test("`daemon logs -f` reads the old file to its end and goes on in the new one", async () => {
    await using daemon = await startDaemon();
    const log = join(daemon.box.home, "logs", "daemon.log");
    const follower = daemon.box.spawn(["daemon", "logs", "-f", "-n", "0"]);
    let out = "";
    void (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of follower.stdout as ReadableStream<Uint8Array>) out += decoder.decode(chunk, { stream: true });
    })();
    // It starts at the end of the file: append until it shows it is there.
    await eventually("the follower to print what is appended", () => {
      if (out.includes("follower-is-listening")) return true;
      appendFileSync(log, "follower-is-listening\n");
      return undefined;
    });

    appendFileSync(log, filler("filler", LOG_ROTATION.maxBytes - statSync(log).size - 60));
    appendFileSync(log, "filler-done\n");
    await eventually("the follower to read the filler", () => (out.includes("filler-done") ? true : undefined));
    // Held still while the last line of the old file is written and the daemon rotates it,
    // so its next look at the file comes after the rotation, every time.
    process.kill(follower.pid, "SIGSTOP");
    appendFileSync(log, "last-line-of-the-old-file\n");
    const control = controlOf(daemon);
    expect((await control.call("rotateSecret", {})).ok).toBe(true);
    process.kill(follower.pid, "SIGCONT");
    expect(holds(readFileSync(`${log}.1`, "utf8"), "last-line-of-the-old-file")).toBe(true);
    expect(holds(readFileSync(log, "utf8"), "p2p secret rotated")).toBe(true);
    expect((await control.call("rotateSecret", {})).ok).toBe(true);

    await eventually("both rotations' lines", () => (out.split("p2p secret rotated").length === 3 ? true : undefined));
    expect(out.indexOf("last-line-of-the-old-file")).toBeLessThan(out.indexOf("p2p secret rotated"));
    expect(out.split("last-line-of-the-old-file").length).toBe(2);
    console.log(`logs -f across a rotation: ${Math.round(out.length / 1024)} KB printed, no line lost or doubled`);
    follower.kill();
  });

  test("sessions.log is rotated the same way before a session is spawned", async () => {
    await using daemon = await startDaemon();
    const log = join(daemon.box.home, "logs", "sessions.log");
    writeFileSync(log, filler("sessions-first-generation", LOG_ROTATION.maxBytes + 100), { mode: 0o600 });
    const directory = join(daemon.box.home, "work");
    mkdirSync(directory);
    const answer = await controlOf(daemon).call("spawnSession", { directory });
    expect(answer.ok).toBe(true);
    expect(readFileSync(`${log}.1`, "utf8").startsWith("sessions-first-generation\n")).toBe(true);
    await eventually("the session's first line in a fresh sessions.log", () =>
      readFileSync(log, "utf8").includes("remcli session") ? true : undefined,
    );
    expect(statSync(log).size).toBeLessThan(64 * 1024);
    for (const file of [log, `${log}.1`]) expect({ file, mode: mode(file) }).toEqual({ file, mode: 0o600 });
  });
});
