/** What a service manager's command said. `missing` when the program is not on PATH at all. */
export type ToolOutcome = { exitCode: number; stdout: string; stderr: string; missing: boolean };

const TIMEOUT_MS = 15_000;

/**
 * Runs systemctl, launchctl or loginctl, found on PATH (so a test can put fakes first),
 * with a bound: a service manager that hangs must not hang `remcli daemon install`.
 */
export async function runTool(argv: string[]): Promise<ToolOutcome> {
  const program = Bun.which(argv[0]!);
  if (!program) return { exitCode: -1, stdout: "", stderr: `${argv[0]} is not on PATH`, missing: true };
  const child = Bun.spawn([program, ...argv.slice(1)], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  clearTimeout(timer);
  return { exitCode, stdout, stderr, missing: false };
}

/** One line that says what failed, for an error message. */
export const toolFailure = (argv: string[], outcome: ToolOutcome) =>
  `\`${argv.join(" ")}\` failed (exit ${outcome.exitCode}): ${(outcome.stderr.trim() || outcome.stdout.trim()).split("\n")[0] ?? ""}`;
