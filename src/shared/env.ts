import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";

// The only reader of process.env: everything else receives this frozen config.
/** An empty variable counts as unset, as shells make it easy to set one to "". */
const unsetIfEmpty = (value: unknown) => (value === "" ? undefined : value);
const optionalText = z.preprocess(unsetIfEmpty, z.string().optional());

/** The numeric variables: what each counts, its floor and its default. */
const NUMBERS = {
  REMCLI_HEARTBEAT_MS: { unit: "milliseconds", min: 50, fallback: 60_000 },
  REMCLI_START_TIMEOUT_MS: { unit: "milliseconds", min: 100, fallback: 10_000 },
  REMCLI_STOP_TIMEOUT_MS: { unit: "milliseconds", min: 100, fallback: 5_000 },
  REMCLI_RPC_TIMEOUT_MS: { unit: "milliseconds", min: 10, fallback: 30_000 },
  REMCLI_MESSAGE_LIMIT_BYTES: { unit: "bytes", min: 1024, fallback: 1024 * 1024 },
  REMCLI_MAX_CONNECTIONS: { unit: "connections", min: 1, fallback: 4096 },
  REMCLI_SPAWN_TIMEOUT_MS: { unit: "milliseconds", min: 10, fallback: 10_000 },
  REMCLI_SESSION_STOP_GRACE_MS: { unit: "milliseconds", min: 10, fallback: 5_000 },
  REMCLI_SESSION_ALIVE_MS: { unit: "milliseconds", min: 50, fallback: 5_000 },
  REMCLI_UPDATE_CHECK_MS: { unit: "milliseconds", min: 50, fallback: 5_000 },
  REMCLI_NOTIFY_TIMEOUT_MS: { unit: "milliseconds", min: 50, fallback: 10_000 },
  REMCLI_NOTIFY_COLLAPSE_MS: { unit: "milliseconds", min: 0, fallback: 2_000 },
} as const;
type NumberName = keyof typeof NUMBERS;

const wholeNumber = ({ min, fallback }: { min: number; fallback: number }) =>
  z.preprocess(unsetIfEmpty, z.coerce.number().int().min(min).default(fallback));

const Env = z.object({
  ...(Object.fromEntries(Object.entries(NUMBERS).map(([name, spec]) => [name, wholeNumber(spec)])) as {
    [N in NumberName]: ReturnType<typeof wholeNumber>;
  }),
  REMCLI_HOME: optionalText,
  REMCLI_DEBUG: optionalText,
  NGROK_AUTHTOKEN: optionalText,
  REMCLI_NGROK_SERVER_ADDR: optionalText,
  REMCLI_NGROK_CA_CERT: optionalText,
  REMCLI_CAFFEINATE_PATH: optionalText,
  REMCLI_CLAUDE_PATH: optionalText,
  REMCLI_CLAUDE_PROJECTS_DIR: optionalText,
  REMCLI_GEMINI_PATH: optionalText,
  REMCLI_CODEX_PATH: optionalText,
  REMCLI_CODEX_ACP_PATH: optionalText,
  REMCLI_OPENCODE_PATH: optionalText,
  CLAUDE_CONFIG_DIR: optionalText,
  IS_SANDBOX: optionalText,
  CLAUDE_CODE_BUBBLEWRAP: optionalText,
  REMCLI_RG_PATH: optionalText,
  REMCLI_ADVERTISE: optionalText,
  REMCLI_SERVICE_MANAGER: z.preprocess(unsetIfEmpty, z.enum(["systemd", "launchd", "none"]).optional()),
  XDG_CONFIG_HOME: optionalText,
  HOME: optionalText,
  PATH: optionalText,
  USER: optionalText,
  LOGNAME: optionalText,
});

/** An environment variable set to a value remcli cannot use: which, what it was, what it wants. */
export class EnvError extends Error {
  override name = "EnvError";
  constructor(
    readonly variable: string,
    readonly value: string,
    readonly expected: string,
    readonly fallback: number | string,
  ) {
    super(`${variable}=${JSON.stringify(value)} is not valid: expected ${expected} (default ${fallback})`);
  }
}

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
  /** Where the ngrok agent connects (`host:port`); unset means ngrok's own service. */
  ngrokServerAddr: string | undefined;
  /** A PEM file of the CA that signs that server's certificate; unset means ngrok's own CA. */
  ngrokCaCertPath: string | undefined;
  spawnTimeoutMs: number;
  sessionStopGraceMs: number;
  sessionAliveMs: number;
  /** The caffeinate binary, or null where keeping the machine awake is not done. */
  caffeinatePath: string | null;
  /** How often the daemon looks whether its binary was replaced (a stat; cheap). */
  updateCheckMs: number;
  /** How long one notification may take: a push or ntfy request, or the command hook (then killed). */
  notifyTimeoutMs: number;
  /** After a notification of a kind, later ones of that kind wait this long and go as one. */
  notifyCollapseMs: number;
  /** The `claude` executable the user chose; unset means `claude` on PATH. */
  claudePath: string | undefined;
  /** Where Claude Code keeps its transcripts (`<dir>/<escaped cwd>/<session>.jsonl`). */
  claudeProjectsDir: string;
  /** Claude Code runs in a sandbox it trusts (IS_SANDBOX=1, or its bubblewrap): it then skips permissions even as root. */
  claudeSandboxed: boolean;
  /** The ACP agents' executables the user chose (`REMCLI_<AGENT>_PATH`); unset means PATH. */
  agentPaths: Readonly<{ gemini?: string; codex?: string; codexAcp?: string; opencode?: string }>;
  /** The environment an agent runs in: ours, as we were started, plus what its launch adds. */
  childEnv: Readonly<Record<string, string>>;
  /** The `rg` the ripgrep RPC runs; unset means `rg` on PATH, and none found the built-in search. */
  ripgrepPath: string | undefined;
  /** More addresses to put in the pairing (REMCLI_ADVERTISE, comma-separated hosts or URLs). */
  advertise: readonly string[];
  /** The tailscale CLI on PATH, or null: then no MagicDNS name and no `--tailscale`. */
  tailscalePath: string | null;
  /** What runs the daemon at login (`daemon install`): by platform, or REMCLI_SERVICE_MANAGER (`none`: no service); null where none is supported. */
  serviceManager: "systemd" | "launchd" | null;
  /** The user's home and config folder (XDG_CONFIG_HOME), where the login service's file goes. */
  userHome: string;
  userConfigDir: string;
  /** The login name (USER, LOGNAME), for the `loginctl enable-linger` advice. */
  userName: string | undefined;
  /** What a login service must carry of this environment: PATH (agents are found on it) and every REMCLI_* variable. */
  serviceEnvironment: Readonly<Record<string, string>>;
}>;

/** The first unusable variable as an EnvError; only numbers and the service manager can be invalid. */
function envError(env: Record<string, string | undefined>, error: z.ZodError): EnvError {
  const name = String(error.issues[0]?.path[0]) as NumberName;
  if (String(name) === "REMCLI_SERVICE_MANAGER") {
    return new EnvError(name, env[name] ?? "", "systemd, launchd or none", platformServiceManager() ?? "none");
  }
  const { unit, min, fallback } = NUMBERS[name];
  return new EnvError(name, env[name] ?? "", `a whole number of ${unit}, at least ${min}`, fallback);
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) throw envError(env, parsed.error);
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
    ngrokServerAddr: e.REMCLI_NGROK_SERVER_ADDR,
    ngrokCaCertPath: e.REMCLI_NGROK_CA_CERT ? resolve(e.REMCLI_NGROK_CA_CERT) : undefined,
    spawnTimeoutMs: e.REMCLI_SPAWN_TIMEOUT_MS,
    sessionStopGraceMs: e.REMCLI_SESSION_STOP_GRACE_MS,
    sessionAliveMs: e.REMCLI_SESSION_ALIVE_MS,
    updateCheckMs: e.REMCLI_UPDATE_CHECK_MS,
    notifyTimeoutMs: e.REMCLI_NOTIFY_TIMEOUT_MS,
    notifyCollapseMs: e.REMCLI_NOTIFY_COLLAPSE_MS,
    claudePath: e.REMCLI_CLAUDE_PATH,
    // Claude Code itself moves its whole config (transcripts included) with CLAUDE_CONFIG_DIR.
    claudeProjectsDir: resolve(e.REMCLI_CLAUDE_PROJECTS_DIR ?? join(e.CLAUDE_CONFIG_DIR ?? join(homedir(), ".claude"), "projects")),
    // Claude Code's own test, exactly: IS_SANDBOX must be "1", CLAUDE_CODE_BUBBLEWRAP anything set.
    claudeSandboxed: e.IS_SANDBOX === "1" || e.CLAUDE_CODE_BUBBLEWRAP !== undefined,
    agentPaths: Object.freeze({
      gemini: e.REMCLI_GEMINI_PATH,
      codex: e.REMCLI_CODEX_PATH,
      codexAcp: e.REMCLI_CODEX_ACP_PATH,
      opencode: e.REMCLI_OPENCODE_PATH,
    }),
    childEnv: Object.freeze(agentEnvironment(env)),
    // caffeinate exists on macOS only; elsewhere it runs only where configured (tests).
    caffeinatePath: e.REMCLI_CAFFEINATE_PATH ?? (process.platform === "darwin" ? "/usr/bin/caffeinate" : null),
    ripgrepPath: e.REMCLI_RG_PATH,
    advertise: Object.freeze((e.REMCLI_ADVERTISE ?? "").split(",").map((entry) => entry.trim()).filter(Boolean).slice(0, 16)),
    tailscalePath: Bun.which("tailscale", { PATH: e.PATH ?? "" }),
    serviceManager: e.REMCLI_SERVICE_MANAGER === "none" ? null : (e.REMCLI_SERVICE_MANAGER ?? platformServiceManager()),
    userHome: resolve(e.HOME ?? homedir()),
    userConfigDir: resolve(e.XDG_CONFIG_HOME ?? join(e.HOME ?? homedir(), ".config")),
    userName: e.USER ?? e.LOGNAME,
    serviceEnvironment: Object.freeze(serviceEnvironment(env, resolve(e.REMCLI_HOME ?? join(homedir(), ".remcli")))),
  });
}

const SERVICE_SETTINGS = Object.keys(Env.shape).filter(
  (name) => (name.startsWith("REMCLI_") && name !== "REMCLI_SERVICE_MANAGER" && name !== "REMCLI_HOME") || name === "CLAUDE_CONFIG_DIR",
);

function platformServiceManager(): Config["serviceManager"] {
  if (process.platform === "linux") return "systemd";
  if (process.platform === "darwin") return "launchd";
  return null;
}

/**
 * A service starts with the supervisor's bare environment (systemd's user PATH has no
 * ~/.local/bin; launchd's is /usr/bin:/bin:/usr/sbin:/sbin), so the unit carries ours:
 * PATH, the home it was installed for, remcli's own settings and CLAUDE_CONFIG_DIR. No
 * secret (NGROK_AUTHTOKEN, an agent's API key): README's Always on says where those go.
 */
function serviceEnvironment(env: Record<string, string | undefined>, home: string): Record<string, string> {
  const out: Record<string, string> = {};
  // Only the settings this file knows: never a build's REMCLI_SIGN_KEY or anything else that merely looks like ours.
  for (const name of SERVICE_SETTINGS) {
    const value = env[name];
    if (value) out[name] = value;
  }
  if (env.PATH) out.PATH = env.PATH;
  out.REMCLI_HOME = home;
  return out;
}

/** The daemon's own secrets, which no agent or program of the user's needs to see. */
const NOT_FOR_AGENTS = new Set(["NGROK_AUTHTOKEN"]);

function agentEnvironment(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && !NOT_FOR_AGENTS.has(name)) out[name] = value;
  return out;
}

/**
 * JavaScriptCore flags for the session processes the daemon spawns, read by the runtime as
 * it starts. A session relays messages and waits; the optimising JIT tiers (DFG, and FTL
 * above it) cost each one about 6 MB (compiled) to 9 MB (from source) of code and memory and
 * bought no latency bench/agent.ts could tell apart. The baseline JIT stays.
 */
export const SESSION_RUNTIME_FLAGS: Readonly<Record<string, string>> = { BUN_JSC_useDFGJIT: "0" };

/** The environment of a session process the daemon spawns: its own, plus the session's runtime flags. */
export function sessionEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  return { ...env, ...SESSION_RUNTIME_FLAGS };
}

/**
 * The runtime read its flags as it started; dropped from our environment so that nothing we
 * start (the agent, its tools, a shell RPC, another remcli) runs with them.
 */
export function dropRuntimeFlags(): void {
  for (const name of Object.keys(process.env)) if (name.startsWith("BUN_JSC_")) delete process.env[name];
}

/** The environment of a program of the user's that the daemon runs (the notify hook): the agents' one, plus `extra`. */
export function childEnvironment(extra: Record<string, string>): Record<string, string> {
  return { ...agentEnvironment(process.env), ...extra };
}
