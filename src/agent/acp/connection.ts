import {
  client,
  methods,
  ndJsonStream,
  RequestError,
  type ClientConnection,
  type RequestPermissionRequest,
  type RequestPermissionResponse,
  type SessionNotification,
} from "@agentclientprotocol/sdk";
import { within } from "../../shared/within.ts";

const STDERR_TAIL = 4_000;
/** One JSON-RPC line from the agent; the SDK's default (32 MiB) is more than a turn needs. */
const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
const EXIT_GRACE_MS = 3_000;

export type AcpHandlers = {
  update(notification: SessionNotification): void;
  permission(request: RequestPermissionRequest, signal: AbortSignal): Promise<RequestPermissionResponse>;
};

/**
 * An ACP agent as a child process, spoken to over its stdio with the official SDK.
 * We offer the agent no file system or terminal of ours: it reads and writes files
 * and runs commands itself, asking us (`session/request_permission`) first.
 */
export function spawnAcpAgent(input: { argv: string[]; cwd: string; env: Record<string, string>; handlers: AcpHandlers }) {
  const child = Bun.spawn(input.argv, {
    cwd: input.cwd,
    env: input.env,
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  let stderrTail = "";
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) stderrTail = (stderrTail + decoder.decode(chunk, { stream: true })).slice(-STDERR_TAIL);
  })().catch(() => {});

  const toAgent = new WritableStream<Uint8Array>({
    async write(chunk) {
      child.stdin.write(chunk);
      await child.stdin.flush();
    },
    close: () => void child.stdin.end(),
  });
  const app = client({ name: "remcli" })
    .onNotification(methods.client.session.update, ({ params }) => input.handlers.update(params))
    .onRequest(methods.client.session.requestPermission, ({ params, signal }) => input.handlers.permission(params, signal));
  const connection: ClientConnection = app.connect(ndJsonStream(toAgent, child.stdout, { maxMessageBytes: MAX_MESSAGE_BYTES }));

  return {
    agent: connection.agent,
    exited: child.exited,
    stderrTail: () => stderrTail,
    /** Closes its input (agents end on EOF), then signals it; resolves once it is gone. */
    async stop() {
      connection.close();
      try {
        child.stdin.end();
      } catch {
        // Already closed.
      }
      if (await within(child.exited, EXIT_GRACE_MS)) return;
      child.kill("SIGTERM");
      if (await within(child.exited, EXIT_GRACE_MS)) return;
      child.kill("SIGKILL");
      await child.exited;
    },
  };
}

export type AcpProcess = ReturnType<typeof spawnAcpAgent>;

/** An agent's error as one readable line: JSON-RPC errors often carry the useful part in `data.details`. */
export function acpErrorMessage(error: unknown): string {
  if (error instanceof RequestError) {
    const details = (error.data as { details?: unknown } | undefined)?.details;
    return typeof details === "string" && details.trim() ? `${error.message}: ${details.trim().split("\n")[0]}` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
