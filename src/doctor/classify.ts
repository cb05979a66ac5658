import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { ChildRow } from "../store/children.ts";
import type { ProcessInfo } from "./process-table.ts";

export type Category = "daemon" | "daemon-spawned session" | "terminal session" | "caffeinate" | "doctor" | "cli" | "orphan";

export type Classified = ProcessInfo & { category: Category; why: string; childId: number | null };

const sourceEntries = new Map<string, boolean>();

/** `bun …/src/main.ts` of this project, checked by the package.json beside it. */
function isSourceEntry(path: string): boolean {
  if (!path.endsWith("src/main.ts")) return false;
  const cached = sourceEntries.get(path);
  if (cached !== undefined) return cached;
  const manifest = join(dirname(dirname(path)), "package.json");
  let ours = false;
  try {
    ours = existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "remcli";
  } catch {
    ours = false;
  }
  sourceEntries.set(path, ours);
  return ours;
}

/** The remcli arguments of a process (after the binary or the entry script), or null if it is not remcli. */
export function remcliArgs(info: ProcessInfo): string[] | null {
  const [first, ...rest] = info.args;
  if (!first) return null;
  const name = basename(first);
  if (name === "remcli" || name.startsWith("remcli-")) return rest;
  const entry = rest.findIndex((arg) => isSourceEntry(resolve(info.cwd ?? "/", arg)));
  return entry >= 0 ? rest.slice(entry + 1) : null;
}

/**
 * Sorts the remcli processes of one home into what they are, joined with the
 * children table; "orphan" means alive but not owned by a live daemon.
 */
export function classify(input: {
  processes: ProcessInfo[];
  openChildren: ChildRow[];
  daemon: { pid: number; alive: boolean } | null;
  selfPid: number;
}): Classified[] {
  const { daemon } = input;
  const liveDaemonPid = daemon?.alive ? daemon.pid : null;
  const childByPid = new Map(input.openChildren.map((child) => [child.pid, child]));
  const found: Classified[] = [];

  for (const info of input.processes) {
    const child = childByPid.get(info.pid);
    // Without a start token on either side (ps on macOS) the pid is all we can match.
    const sameChild =
      child && (child.pidStart === null || info.startToken === null || child.pidStart === info.startToken) ? child : undefined;
    const childId = sameChild?.id ?? null;
    const args = remcliArgs(info);
    if (args === null) {
      if (sameChild?.kind === "caffeinate") {
        const owned = liveDaemonPid !== null && sameChild.daemonPid === liveDaemonPid;
        found.push({ ...info, childId, category: owned ? "caffeinate" : "orphan", why: owned ? "kept awake for the sessions" : "its daemon is gone" });
      }
      continue;
    }
    if (info.pid === input.selfPid || args[0] === "doctor") {
      found.push({ ...info, childId, category: "doctor", why: "this check" });
      continue;
    }
    if (args[0] === "daemon" && args[1] === "start-sync") {
      const current = info.pid === liveDaemonPid;
      found.push({ ...info, childId, category: current ? "daemon" : "orphan", why: current ? "the running daemon" : "a daemon that does not hold this home's state" });
      continue;
    }
    if (args[0] === "daemon" || args[0] === "update") {
      found.push({ ...info, childId, category: "cli", why: `remcli ${args.slice(0, 2).join(" ")} in progress` });
      continue;
    }
    // Anything else is a session process.
    if (sameChild && liveDaemonPid !== null && sameChild.daemonPid === liveDaemonPid) {
      const category = sameChild.startedBy === "daemon" ? "daemon-spawned session" : "terminal session";
      found.push({ ...info, childId, category, why: `session ${sameChild.sessionId ?? "(starting)"}` });
      continue;
    }
    const why = sameChild ? "its daemon is gone" : "no daemon tracks it";
    found.push({ ...info, childId, category: "orphan", why });
  }
  return found;
}
