import { isSameProcessAlive } from "../shared/process-identity.ts";
import { waitFor } from "../shared/time.ts";
import type { Store } from "../store/store.ts";
import type { Classified } from "./classify.ts";
import type { DoctorReport } from "./report.ts";

export type Cleaned = {
  pid: number;
  category: string;
  how: "SIGTERM" | "SIGKILL" | "already-gone" | "not-permitted" | "identity-unknown";
};

/** Categories `clean --all` still leaves alone: this command and other commands in progress. */
const NEVER = new Set(["doctor", "cli"]);

const TERM_GRACE_MS = 1_000;

function send(target: Classified, signal: NodeJS.Signals): boolean {
  // Without its start time a pid proves nothing: it may be another process by now.
  if (target.startToken === null) return false;
  // Re-check identity right before each signal: the pid may have been reused meanwhile.
  if (!isSameProcessAlive(target.pid, target.startToken)) return false;
  try {
    process.kill(target.pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Orphans (or, with `all`, every remcli process of this home but doctor and other
 * commands): SIGTERM, one second, SIGKILL for survivors. Each killed child's record is
 * ended, and rows whose process is already gone are closed too.
 */
export async function cleanProcesses(report: DoctorReport, store: Store, options: { all: boolean }): Promise<Cleaned[]> {
  const targets = report.processes.filter((p) => (options.all ? !NEVER.has(p.category) : p.category === "orphan"));
  const outcome = new Map<number, Cleaned["how"]>();
  for (const target of targets) {
    const how = send(target, "SIGTERM") ? "SIGTERM" : target.startToken === null ? "identity-unknown" : "not-permitted";
    outcome.set(target.pid, how);
  }

  const survivors = () => targets.filter((t) => outcome.get(t.pid) === "SIGTERM" && isSameProcessAlive(t.pid, t.startToken));
  await waitFor(() => (survivors().length === 0 ? true : undefined), { timeoutMs: TERM_GRACE_MS });
  for (const target of survivors()) {
    if (send(target, "SIGKILL")) outcome.set(target.pid, "SIGKILL");
  }
  await waitFor(() => (survivors().length === 0 ? true : undefined), { timeoutMs: 2_000 });

  const cleaned: Cleaned[] = [];
  for (const target of targets) {
    let how = outcome.get(target.pid)!;
    if (how === "not-permitted" && !isSameProcessAlive(target.pid, target.startToken)) how = "already-gone";
    if (target.childId !== null && how !== "not-permitted" && how !== "identity-unknown") {
      store.children.end(target.childId, `stopped by \`remcli doctor clean\` with ${how} (${target.category}: ${target.why})`);
    }
    cleaned.push({ pid: target.pid, category: target.category, how });
  }
  for (const child of report.staleChildren) {
    store.children.end(child.id, "found gone by `remcli doctor clean`");
  }
  return cleaned;
}
