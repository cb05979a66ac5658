import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { processStartToken, PS_ENV } from "../shared/process-identity.ts";

export type ProcessInfo = {
  pid: number;
  ppid: number;
  uid: number;
  args: string[];
  startToken: string | null;
  /** Its working directory, to resolve a relative entry script (`bun src/main.ts`). */
  cwd: string | null;
  /** The REMCLI_HOME the process runs with, when its environment is readable. */
  home: string | null | undefined;
};

function readProc(pid: number): ProcessInfo | null {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    if (args.length === 0) return null;
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
    const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    let home: string | null | undefined;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
      const explicit = environ.find((entry) => entry.startsWith("REMCLI_HOME="))?.slice("REMCLI_HOME=".length);
      const userHome = environ.find((entry) => entry.startsWith("HOME="))?.slice("HOME=".length);
      home = explicit || (userHome ? `${userHome}/.remcli` : null);
    } catch {
      home = undefined;
    }
    let cwd: string | null = null;
    try {
      cwd = readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      cwd = null;
    }
    return { pid, ppid, uid, args, startToken: processStartToken(pid), home, cwd };
  } catch {
    return null;
  }
}

/** A `ps` line: pid, ppid, uid, the 24-character C-locale start time, the command line. */
const PS_LINE = /^\s*(\d+)\s+(\d+)\s+(\d+) (\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}) (.*)$/;

/**
 * Without /proc (macOS): `ps` gives pid, ppid, uid, start time and the command line, no
 * environment. The start time is what psStartToken reads again before each signal.
 */
export function listProcessesWithPs(): ProcessInfo[] {
  const out = Bun.spawnSync(["ps", "-axo", "pid=,ppid=,uid=,lstart=,args="], {
    stdout: "pipe",
    stderr: "ignore",
    env: { ...PS_ENV },
  });
  return out.stdout
    .toString()
    .split("\n")
    .map((line) => PS_LINE.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(([, pid, ppid, uid, started, args]) => ({
      pid: Number(pid),
      ppid: Number(ppid),
      uid: Number(uid),
      args: args!.split(/\s+/),
      startToken: started!,
      cwd: null,
      home: undefined,
    }));
}

/** Every process of the machine, read without a shell. */
export function listProcesses(): ProcessInfo[] {
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return listProcessesWithPs();
  }
  return names
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProc(Number(name)))
    .filter((info): info is ProcessInfo => info !== null);
}
