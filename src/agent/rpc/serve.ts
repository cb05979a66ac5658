import type { z } from "zod";
import {
  BashRequest,
  FILE_RPC_LIMITS,
  GetDirectoryTreeRequest,
  ListDirectoryRequest,
  ReadFileRequest,
  RipgrepRequest,
  WriteFileRequest,
} from "../../protocol/session-rpc.ts";
import { errorMessage } from "../../shared/errors.ts";
import type { Log, LogContext } from "../../shared/log.ts";
import { bashRefusal, commandTimeout } from "../../shared/shell.ts";
import type { SessionRpc } from "../session-rpc.ts";
import { sessionBash } from "./bash.ts";
import { listSessionDirectory, readSessionFile, writeSessionFile } from "./files.ts";
import { sessionRoot } from "./paths.ts";
import { locateRipgrep, ripgrep } from "./search.ts";
import { directoryTree } from "./tree.ts";

type Ran = { answer: unknown; log?: LogContext };

type FileRpc<T> = {
  request: z.ZodType<T>;
  /** What the log says about a call before it runs: the command or path, never contents. */
  describe: (request: T) => LogContext;
  run: (request: T) => Promise<Ran>;
  /** The answer for a call refused or failed, in the shape the app reads for this method. */
  refusal: (error: string) => unknown;
  /** Runs a process (or the built-in search): counts against the session's command limit. */
  command?: boolean;
};

const failure = (error: string) => ({ success: false, error });

/** A file system error in the phone's terms: its path as the phone gave it, not ours. */
function explain(error: unknown, context: LogContext): string {
  const subject = String(context.path ?? context.cwd ?? ".");
  switch ((error as NodeJS.ErrnoException | null)?.code) {
    case "ENOENT":
      return `${subject} does not exist`;
    case "ENOTDIR":
      return `${subject}: a part of it is not a folder`;
    case "EACCES":
    case "EPERM":
      return `${subject}: permission denied`;
    default:
      return errorMessage(error);
  }
}
const clip = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}…` : text);

/**
 * The session's file and shell RPCs as the app calls them (PROTOCOL.md §4): bash,
 * readFile, writeFile, listDirectory, getDirectoryTree, ripgrep. Every path is confined
 * to the session directory; every call is one line in the sessions log (method, command
 * or path, exit code, duration, bytes — never what a file holds).
 */
export function serveFileRpcs(rpc: SessionRpc, deps: { directory: string; sessionId: string; rpcTimeoutMs: number; ripgrepPath: string | undefined; log: Log }) {
  const root = sessionRoot(deps.directory);
  const rg = locateRipgrep(deps.ripgrepPath);
  deps.log.info("session file rpcs", { session: deps.sessionId, directory: deps.directory, ripgrep: rg ?? "built-in" });
  let running = 0;

  const serve = <T>(method: string, spec: FileRpc<T>) =>
    rpc.serve(method, async (params) => {
      const started = performance.now();
      const parsed = spec.request.safeParse(params);
      const context: LogContext = { session: deps.sessionId, method, ...(parsed.success ? spec.describe(parsed.data) : {}) };
      const finish = (answer: unknown, extra: LogContext) => {
        deps.log.info("session rpc", { ...context, ...extra, ms: Math.round(performance.now() - started) });
        return answer;
      };
      if (!parsed.success) {
        const error = `invalid ${method} request: ${parsed.error.issues.map((i) => `${i.path.join(".") || "params"}: ${i.message}`).join("; ")}`;
        return finish(spec.refusal(error), { error });
      }
      if (spec.command && running >= FILE_RPC_LIMITS.concurrentCommands) {
        const error = `${FILE_RPC_LIMITS.concurrentCommands} commands are already running in this session; try again when one ends`;
        return finish(spec.refusal(error), { error });
      }
      if (spec.command) running++;
      try {
        const ran = await spec.run(parsed.data);
        return finish(ran.answer, ran.log ?? {});
      } catch (error) {
        const message = explain(error, context);
        return finish(spec.refusal(message), { error: message });
      } finally {
        if (spec.command) running--;
      }
    });

  serve("bash", {
    request: BashRequest,
    describe: (r) => ({ command: clip(r.command), cwd: r.cwd }),
    refusal: bashRefusal,
    command: true,
    async run(request) {
      const ran = await sessionBash(root, request, deps.rpcTimeoutMs);
      return { answer: ran.answer, log: { exit: ran.exitCode, bytes: ran.bytes, timeoutMs: ran.timeoutMs } };
    },
  });
  serve("readFile", {
    request: ReadFileRequest,
    describe: (r) => ({ path: r.path, ...(r.offset !== undefined ? { offset: r.offset } : {}), ...(r.length !== undefined ? { length: r.length } : {}) }),
    refusal: failure,
    async run(request) {
      const read = await readSessionFile(root, request);
      return { answer: read.answer, log: { bytes: read.bytes } };
    },
  });
  serve("writeFile", {
    request: WriteFileRequest,
    describe: (r) => ({ path: r.path, expectedHash: r.expectedHash ? "given" : "none" }),
    refusal: failure,
    async run(request) {
      const written = await writeSessionFile(root, request);
      return { answer: written.answer, log: { bytes: written.bytes } };
    },
  });
  serve("listDirectory", {
    request: ListDirectoryRequest,
    describe: (r) => ({ path: r.path }),
    refusal: failure,
    async run(request) {
      const answer = await listSessionDirectory(root, request.path);
      return { answer, log: { entries: answer.entries?.length, truncated: answer.truncated } };
    },
  });
  serve("getDirectoryTree", {
    request: GetDirectoryTreeRequest,
    describe: (r) => ({ path: r.path, maxDepth: r.maxDepth }),
    refusal: failure,
    async run(request) {
      const tree = await directoryTree(root, request.path, request.maxDepth);
      return { answer: tree.answer, log: { nodes: tree.nodes, truncated: tree.answer.truncated } };
    },
  });
  serve("ripgrep", {
    request: RipgrepRequest,
    describe: (r) => ({ args: clip(JSON.stringify(r.args)), cwd: r.cwd }),
    refusal: failure,
    command: true,
    async run(request) {
      const found = await ripgrep(root, rg, request, commandTimeout(undefined, { ...FILE_RPC_LIMITS.timeout, rpcTimeoutMs: deps.rpcTimeoutMs }));
      return { answer: found.answer, log: { engine: found.engine, exit: found.exitCode, bytes: found.bytes } };
    },
  });
}
