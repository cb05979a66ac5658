import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";

// The only reader of process.env: everything else receives this frozen config.
/** An empty variable counts as unset, as shells make it easy to set one to "". */
const optionalText = z
  .string()
  .optional()
  .transform((value) => value || undefined);

const Env = z.object({
  REMCLI_HOME: optionalText,
  REMCLI_HEARTBEAT_MS: z.coerce.number().int().min(50).default(60_000),
  REMCLI_START_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  REMCLI_STOP_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
  REMCLI_DEBUG: z.string().optional(),
  REMCLI_RPC_TIMEOUT_MS: z.coerce.number().int().min(10).default(30_000),
  REMCLI_MESSAGE_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  REMCLI_MAX_CONNECTIONS: z.coerce.number().int().min(1).default(4096),
  NGROK_AUTHTOKEN: optionalText,
  REMCLI_SPAWN_TIMEOUT_MS: z.coerce.number().int().min(10).default(10_000),
  REMCLI_SESSION_STOP_GRACE_MS: z.coerce.number().int().min(10).default(5_000),
  REMCLI_SESSION_ALIVE_MS: z.coerce.number().int().min(50).default(5_000),
  REMCLI_CAFFEINATE_PATH: optionalText,
  REMCLI_UPDATE_CHECK_MS: z.coerce.number().int().min(50).default(5_000),
});

export type Config = Readonly<{
  home: string;
  heartbeatMs: number;
  startTimeoutMs: number;
  stopTimeoutMs: number;
  debug: boolean;
  rpcTimeoutMs: number;
  messageLimitBytes: number;
  maxConnections: number;
  ngrokAuthtoken: string | undefined;
  spawnTimeoutMs: number;
  sessionStopGraceMs: number;
  sessionAliveMs: number;
  /** The caffeinate binary, or null where keeping the machine awake is not done. */
  caffeinatePath: string | null;
  /** How often the daemon looks whether its binary was replaced (a stat; cheap). */
  updateCheckMs: number;
}>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`invalid environment: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  const e = parsed.data;
  return Object.freeze({
    home: resolve(e.REMCLI_HOME ?? join(homedir(), ".remcli")),
    heartbeatMs: e.REMCLI_HEARTBEAT_MS,
    startTimeoutMs: e.REMCLI_START_TIMEOUT_MS,
    stopTimeoutMs: e.REMCLI_STOP_TIMEOUT_MS,
    debug: Boolean(e.REMCLI_DEBUG),
    rpcTimeoutMs: e.REMCLI_RPC_TIMEOUT_MS,
    messageLimitBytes: e.REMCLI_MESSAGE_LIMIT_BYTES,
    maxConnections: e.REMCLI_MAX_CONNECTIONS,
    ngrokAuthtoken: e.NGROK_AUTHTOKEN,
    spawnTimeoutMs: e.REMCLI_SPAWN_TIMEOUT_MS,
    sessionStopGraceMs: e.REMCLI_SESSION_STOP_GRACE_MS,
    sessionAliveMs: e.REMCLI_SESSION_ALIVE_MS,
    // caffeinate exists on macOS only; elsewhere it runs only where configured (tests).
    updateCheckMs: e.REMCLI_UPDATE_CHECK_MS,
    caffeinatePath: e.REMCLI_CAFFEINATE_PATH ?? (process.platform === "darwin" ? "/usr/bin/caffeinate" : null),
  });
}
