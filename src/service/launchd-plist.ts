import type { ServiceSpec } from "./spec.ts";

export const LAUNCHD_LABEL = "dev.remcli.daemon";

const xml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const string = (text: string) => `<string>${xml(text)}</string>`;

/**
 * The LaunchAgent. RunAtLoad starts it at login; KeepAlive { SuccessfulExit: false }
 * relaunches it after a crash or a hand-over to a new binary (a non-zero exit) but leaves
 * `remcli daemon stop` (exit 0) stopped, where `KeepAlive: true` would fight it.
 * AbandonProcessGroup: sessions outlive a daemon restart, as without a service.
 */
export function launchdPlist(spec: ServiceSpec): string {
  const environment = Object.entries(spec.environment)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `    <key>${xml(name)}</key>${string(value)}`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    "<!-- Written by `remcli daemon install`; `remcli daemon uninstall` removes it. -->",
    '<plist version="1.0">',
    "<dict>",
    `  <key>Label</key>${string(LAUNCHD_LABEL)}`,
    "  <key>ProgramArguments</key>",
    "  <array>",
    ...spec.command.map((word) => `    ${string(word)}`),
    "  </array>",
    "  <key>EnvironmentVariables</key>",
    "  <dict>",
    ...environment,
    "  </dict>",
    "  <key>RunAtLoad</key><true/>",
    "  <key>KeepAlive</key>",
    "  <dict>",
    "    <key>SuccessfulExit</key><false/>",
    "  </dict>",
    "  <key>AbandonProcessGroup</key><true/>",
    "  <key>ProcessType</key><string>Interactive</string>",
    `  <key>StandardOutPath</key>${string(spec.logPath)}`,
    `  <key>StandardErrorPath</key>${string(spec.logPath)}`,
    "</dict>",
    "</plist>",
    "",
  ].join("\n");
}
