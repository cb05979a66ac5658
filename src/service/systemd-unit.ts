import { SUPERVISED_EXIT, type ServiceSpec } from "./spec.ts";

export const UNIT_NAME = "remcli.service";

/**
 * One word of ExecStart=, quoted as systemd.service(5) reads it: inside double quotes
 * with C escapes, `%` doubled (a specifier otherwise), `$` doubled (a variable otherwise).
 */
export function execWord(word: string): string {
  return `"${quoted(word).replace(/\$/g, "$$$$")}"`;
}

/** One Environment= assignment: quoted whole, `%` doubled; no `$` expansion happens there. */
function environmentLine(name: string, value: string): string {
  return `Environment="${quoted(`${name}=${value}`)}"`;
}

/**
 * Inside "…": backslash and quote escaped, `%` doubled, and every control character as
 * a C escape (`\n`, `\x1b`): a raw line break would end the line and start a directive of its own.
 */
function quoted(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/%/g, "%%")
    .replace(/[\x00-\x1f\x7f]/g, (c) => ({ "\n": "\\n", "\r": "\\r", "\t": "\\t" })[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/**
 * The systemd user unit. Why each choice (README, "Always on"):
 * - Type=exec: started means the binary ran; `remcli daemon install` then waits for the
 *   state row to say running, which is what "serving" means to a phone.
 * - Restart=on-failure: a crash is restarted, `remcli daemon stop` (exit 0) stays stopped.
 * - A new binary is taken over by exiting with HANDED_OVER: systemd restarts the same path,
 *   so the process systemd tracks is always the one daemon (no detached successor that
 *   systemd would kill, or not know about).
 * - KillMode=process: sessions are the user's agents and outlive a daemon restart; the
 *   next daemon adopts them, as it does without a service.
 */
export function systemdUnit(spec: ServiceSpec): string {
  const environment = Object.entries(spec.environment)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => environmentLine(name, value));
  return [
    "# Written by `remcli daemon install`; `remcli daemon uninstall` removes it.",
    "[Unit]",
    "Description=remcli daemon: drive coding agents on this computer from your phone",
    "",
    "[Service]",
    "Type=exec",
    `ExecStart=${spec.command.map(execWord).join(" ")}`,
    ...environment,
    "Restart=on-failure",
    "RestartSec=1s",
    `RestartPreventExitStatus=${SUPERVISED_EXIT.LOCK_HELD}`,
    `SuccessExitStatus=${SUPERVISED_EXIT.HANDED_OVER}`,
    `RestartForceExitStatus=${SUPERVISED_EXIT.HANDED_OVER}`,
    "KillMode=process",
    "TimeoutStopSec=15s",
    "",
    "[Install]",
    "WantedBy=default.target",
    "",
  ].join("\n");
}
