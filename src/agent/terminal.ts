/**
 * The terminal a session was started in, when it has one. In remote mode it waits
 * for a key press (take control back; Ctrl-C ends the session); in local mode it
 * stays out of the way: the agent owns the terminal and we must not read from it.
 */
export type Terminal = {
  say(line: string): void;
  /** Resolves on the next key press; `cancel` stops listening and gives the terminal back. */
  waitForKey(): { pressed: Promise<"key" | "interrupt">; cancel(): void };
  /** Cooked mode again, whatever the agent left behind. */
  reset(): void;
};

const CTRL_C = 0x03;

export function openTerminal(): Terminal | null {
  const stdin = process.stdin;
  if (!stdin.isTTY || !process.stdout.isTTY) return null;
  const reset = () => {
    try {
      stdin.setRawMode(false);
    } catch {
      // Not a TTY any more (closed): nothing to restore.
    }
  };
  return {
    say: (line) => process.stderr.write(`${line}\n`),
    reset,
    waitForKey() {
      let onData: ((chunk: Buffer) => void) | null = null;
      const stop = () => {
        if (onData) stdin.off("data", onData);
        onData = null;
        reset();
        // Stop reading, so the next interactive agent gets every key itself.
        stdin.pause();
      };
      const pressed = new Promise<"key" | "interrupt">((resolve) => {
        onData = (chunk: Buffer) => {
          stop();
          resolve(chunk.includes(CTRL_C) ? "interrupt" : "key");
        };
        stdin.setRawMode(true);
        stdin.on("data", onData);
        stdin.resume();
      });
      return { pressed, cancel: stop };
    },
  };
}
