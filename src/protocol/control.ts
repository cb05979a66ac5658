import { z } from "zod";
import { NotifyChange, NotifyStatus, SessionNotice, TestReport } from "./notify.ts";
import { SessionId, SpawnOutcome, SpawnSessionParams } from "./rpc.ts";
import { ReachAddress } from "./reach.ts";

/**
 * The control API between the CLI and its daemon (127.0.0.1 only). Every route is a
 * signed POST with a JSON body; the server and the client are both derived from this
 * table, so a route cannot drift between them.
 */
const Empty = z.object({}).strict();

/** Where the daemon is in its life; the store's state row and `/status` both say it. */
export const DaemonLifecycle = z.enum(["starting", "running", "stopping", "stopped", "crashed"]);
export type DaemonLifecycle = z.infer<typeof DaemonLifecycle>;

/** Who started a session: the daemon (for the phone) or the user in a terminal. */
export const StartedBy = z.enum(["daemon", "terminal"]);
export type StartedBy = z.infer<typeof StartedBy>;

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

/**
 * The level of the session ⇄ daemon contract (these control routes and the session's
 * side of PROTOCOL.md). A session says its level and version at /session-started; one
 * that says none is level 0, from before it was said.
 */
export const SESSION_PROTOCOL = 1;
/**
 * The window: a daemon takes every session from OLDEST_SESSION_PROTOCOL up, so a
 * session started before an update keeps working under the new daemon (README,
 * Updating). Raising it is a breaking change for running sessions and says so.
 */
export const OLDEST_SESSION_PROTOCOL = 0;

export const TrackedSession = z.object({
  sessionId: z.string().nullable(),
  pid: z.number().int(),
  startedBy: StartedBy,
  directory: z.string().nullable(),
  startedAt: z.string(),
  alive: z.boolean(),
  /** The remcli version the session process runs; null when it did not say (older than 0.x that says it). */
  version: z.string().nullable().optional(),
  /** Runs an older binary than the daemon's: restart it when idle to run the new one. */
  olderBinary: z.boolean().optional(),
});
export type TrackedSession = z.infer<typeof TrackedSession>;

/** What the daemon did when asked to look at its own binary (`remcli update`). */
export const UpdateCheck = z.discriminatedUnion("outcome", [
  z.object({ outcome: z.literal("not-installed") }),
  z.object({ outcome: z.literal("unchanged") }),
  z.object({ outcome: z.literal("same-version"), version: z.string() }),
  z.object({ outcome: z.literal("rejected"), reason: z.string() }),
  z.object({ outcome: z.literal("replacing"), version: z.string() }),
]);
export type UpdateCheck = z.infer<typeof UpdateCheck>;

/** How a session was stopped: politely, forcibly, or it had already gone. */
const KeyHolder = z.object({ scope: z.enum(["session", "machine"]), id: z.string() });
/** What `qr --rotate` did to the stored data keys (daemon/rewrap-keys.ts). */
export const RotationReport = z.object({
  rotated: z.literal(true),
  /** Data keys now wrapped for the new secret. */
  rewrapped: z.object({ sessions: z.number().int(), machines: z.number().int() }),
  /** Legacy-variant records (no data key, encrypted under the old secret itself): unreadable from now on. */
  legacy: z.array(KeyHolder),
  /** Data keys that open under neither secret (written by a client with another secret). */
  unreadable: z.array(KeyHolder),
});
export type RotationReport = z.infer<typeof RotationReport>;

export const StopHow = z.enum(["SIGTERM", "SIGKILL", "already-gone"]);
export type StopHow = z.infer<typeof StopHow>;

export const routes = {
  status: { path: "/status", request: Empty, response: DaemonStatus },
  stop: {
    path: "/stop",
    request: z.object({ replacedBy: z.string().min(1).max(100).optional() }).strict(),
    response: z.object({ stopping: z.literal(true) }),
  },
  /** Every address a phone might reach the daemon at, best first (the first is the QR's). */
  reach: {
    path: "/reach",
    request: Empty,
    response: z.object({ addresses: z.array(ReachAddress).min(1).max(64) }),
  },
  rotateSecret: {
    path: "/rotate-secret",
    request: Empty,
    response: RotationReport,
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
        /** Optional both ways: an old session sends neither, and an old daemon refuses them (the session retries without). */
        version: z.string().min(1).max(100).optional(),
        protocol: z.number().int().min(0).max(1_000_000).optional(),
      })
      .strict(),
    response: z.object({
      tracked: z.literal(true),
      /** Absent from an old daemon. */
      daemonVersion: z.string().optional(),
      olderBinary: z.boolean().optional(),
    }),
  },
  sessionEnded: {
    path: "/session-ended",
    request: z
      .object({
        sessionId: SessionId,
        pid: z.number().int().positive(),
        reason: z.string().min(1).max(500),
        /** The session ends because its agent failed, not by the user's choice (a notification says so). */
        crashed: z.boolean().optional(),
      })
      .strict(),
    response: z.object({ recorded: z.boolean() }),
  },
  checkUpdate: {
    path: "/check-update",
    request: Empty,
    response: UpdateCheck,
  },
  stopSession: {
    path: "/stop-session",
    request: z.object({ sessionId: SessionId }).strict(),
    response: z.object({ how: StopHow }),
  },
  /**
   * Moves a daemon-spawned session to the installed binary: stops its process and
   * resumes the same session (same id, history and conversation) in a new one.
   */
  restartSession: {
    path: "/restart-session",
    request: z.object({ sessionId: SessionId }).strict(),
    response: z.object({ sessionId: z.string(), pid: z.number().int(), version: z.string().nullable() }),
  },
  spawnSession: {
    path: "/spawn-session",
    request: SpawnSessionParams.pick({ directory: true, approvedNewDirectoryCreation: true, agent: true }).strict(),
    response: SpawnOutcome,
  },
  /** A session's event for the notification channels; answered before anything is sent. */
  notifyEvent: {
    path: "/notify-event",
    request: z.object({ sessionId: SessionId, notice: SessionNotice }).strict(),
    response: z.object({ accepted: z.literal(true) }),
  },
  notifyStatus: { path: "/notify-status", request: Empty, response: NotifyStatus },
  notifyChange: { path: "/notify-change", request: NotifyChange, response: NotifyStatus },
  notifyTest: { path: "/notify-test", request: Empty, response: TestReport },
} as const;

export type Routes = typeof routes;
export type RouteName = keyof Routes;
export type RouteRequest<R extends RouteName> = z.input<Routes[R]["request"]>;
export type RouteResponse<R extends RouteName> = z.infer<Routes[R]["response"]>;

/** Control bodies are small; anything larger is a mistake or an attack. */
export const CONTROL_BODY_LIMIT = 64 * 1024;
