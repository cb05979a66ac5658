import { z } from "zod";
import { DaemonLifecycle } from "../../store/daemon-state.ts";

/**
 * The control API between the CLI and its daemon (127.0.0.1 only). Every route is a
 * signed POST with a JSON body; the server and the client are both derived from this
 * table, so a route cannot drift between them.
 */
const Empty = z.object({}).strict();

export const DaemonStatus = z.object({
  state: DaemonLifecycle,
  pid: z.number().int(),
  version: z.string(),
  controlPort: z.number().int(),
  startedAt: z.string(),
  lastHeartbeat: z.string().nullable(),
  logPath: z.string(),
  p2pHost: z.string().nullable(),
  p2pPort: z.number().int().nullable(),
  tunnelUrl: z.string().nullable(),
});
export type DaemonStatus = z.infer<typeof DaemonStatus>;

const StartedBy = z.enum(["daemon", "terminal"]);
const SessionId = z.string().min(1).max(200);

export const TrackedSession = z.object({
  sessionId: z.string().nullable(),
  pid: z.number().int(),
  startedBy: StartedBy,
  directory: z.string().nullable(),
  startedAt: z.string(),
  alive: z.boolean(),
});
export type TrackedSession = z.infer<typeof TrackedSession>;

export const SpawnAnswer = z.discriminatedUnion("type", [
  z.object({ type: z.literal("success"), sessionId: z.string() }),
  z.object({ type: z.literal("requestToApproveDirectoryCreation"), directory: z.string() }),
]);

export const routes = {
  status: { path: "/status", request: Empty, response: DaemonStatus },
  stop: {
    path: "/stop",
    request: z.object({ replacedBy: z.string().min(1).max(100).optional() }).strict(),
    response: z.object({ stopping: z.literal(true) }),
  },
  rotateSecret: {
    path: "/rotate-secret",
    request: Empty,
    response: z.object({ rotated: z.literal(true) }),
  },
  list: {
    path: "/list",
    request: Empty,
    response: z.object({ sessions: z.array(TrackedSession) }),
  },
  sessionStarted: {
    path: "/session-started",
    request: z
      .object({
        sessionId: SessionId,
        pid: z.number().int().positive(),
        startedBy: StartedBy,
        directory: z.string().max(4096).optional(),
      })
      .strict(),
    response: z.object({ tracked: z.literal(true) }),
  },
  sessionEnded: {
    path: "/session-ended",
    request: z
      .object({ sessionId: SessionId, pid: z.number().int().positive(), reason: z.string().min(1).max(500) })
      .strict(),
    response: z.object({ recorded: z.boolean() }),
  },
  checkUpdate: {
    path: "/check-update",
    request: Empty,
    response: z.discriminatedUnion("outcome", [
      z.object({ outcome: z.literal("not-installed") }),
      z.object({ outcome: z.literal("unchanged") }),
      z.object({ outcome: z.literal("same-version"), version: z.string() }),
      z.object({ outcome: z.literal("rejected"), reason: z.string() }),
      z.object({ outcome: z.literal("replacing"), version: z.string() }),
    ]),
  },
  stopSession: {
    path: "/stop-session",
    request: z.object({ sessionId: SessionId }).strict(),
    response: z.object({ how: z.enum(["SIGTERM", "SIGKILL", "already-gone"]) }),
  },
  spawnSession: {
    path: "/spawn-session",
    request: z
      .object({
        directory: z.string().min(1).max(4096),
        approvedNewDirectoryCreation: z.boolean().optional(),
        agent: z.enum(["claude", "codex", "cursor", "gemini"]).optional(),
      })
      .strict(),
    response: SpawnAnswer,
  },
} as const;

export type Routes = typeof routes;
export type RouteName = keyof Routes;
export type RouteRequest<R extends RouteName> = z.input<Routes[R]["request"]>;
export type RouteResponse<R extends RouteName> = z.infer<Routes[R]["response"]>;

/** Control bodies are small; anything larger is a mistake or an attack. */
export const CONTROL_BODY_LIMIT = 64 * 1024;
