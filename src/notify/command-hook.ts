import type { Notification } from "../protocol/notify.ts";
import { childEnvironment } from "../shared/env.ts";
import type { CommandConfig } from "../store/notify.ts";
import type { Outcome, Target } from "./target.ts";

const STDERR_KEPT = 2_000;

/** The event as environment variables for the hook: REMCLI_EVENT, REMCLI_TITLE, … */
function variables(notification: Notification, appBase: string | null): Record<string, string> {
  return {
    REMCLI_EVENT: notification.kind,
    REMCLI_TITLE: notification.title,
    REMCLI_BODY: notification.body,
    REMCLI_SESSION_ID: notification.sessionId ?? "",
    REMCLI_COUNT: String(notification.count),
    REMCLI_URL: appBase ? new URL(notification.url, appBase).toString() : notification.url,
  };
}

async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const text = (await new Response(stream).text().catch(() => "")).slice(0, STDERR_KEPT);
  return text.trim().split("\n")[0] ?? "";
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/**
 * The user's own program (Telegram, Pushover, Home Assistant …), run as argv — never
 * through a shell, so no text of an event is ever parsed as a command — with the event
 * in environment variables and as JSON on stdin. Killed past the timeout. It runs once
 * per notification and is not retried: a program that sent something and then failed
 * would send it again.
 */
export function commandTarget(config: CommandConfig, deps: { timeoutMs: number; appBase: () => string | null }): Target {
  return {
    channel: "command",
    label: config.argv[0]!,
    async send(notification): Promise<Outcome> {
      let child: Bun.Subprocess<"pipe", "ignore", "pipe">;
      try {
        child = Bun.spawn(config.argv, {
          env: childEnvironment(variables(notification, deps.appBase())),
          stdin: "pipe",
          stdout: "ignore",
          stderr: "pipe",
          // Its own process group, so a timeout also stops what it started.
          detached: true,
        });
      } catch (error) {
        return { ok: false, detail: `could not run ${config.argv[0]}: ${error instanceof Error ? error.message : String(error)}`, retry: false };
      }
      try {
        child.stdin.write(`${JSON.stringify(notification)}\n`);
        await child.stdin.end();
      } catch {
        // A program that does not read its stdin closes it early: not a failure of ours.
      }
      const code = await Promise.race([child.exited, Bun.sleep(deps.timeoutMs).then(() => null)]);
      if (code === null) {
        killGroup(child.pid);
        await child.exited;
        return { ok: false, detail: `did not finish within ${deps.timeoutMs} ms; killed`, retry: false };
      }
      // Something the program left running may hold stderr open: read what is there, briefly.
      const stderr = await Promise.race([firstLine(child.stderr), Bun.sleep(200).then(() => "")]);
      if (code !== 0) return { ok: false, detail: `exited with code ${code}${stderr ? `: ${stderr}` : ""}`, retry: false };
      return { ok: true };
    },
  };
}
