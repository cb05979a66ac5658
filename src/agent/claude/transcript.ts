import { closeSync, existsSync, openSync, readdirSync, readSync, realpathSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { AgentOutput } from "../agent.ts";

/** Claude Code caps a project folder name at this many characters, then adds a hash. */
const NAME_LIMIT = 200;
const POLL_MS = 50;
const MAX_READ_PER_TICK = 4 * 1024 * 1024;
const MIRRORED_TYPES = new Set(["user", "assistant", "summary"]);
const MAX_REMEMBERED_UUIDS = 50_000;

/**
 * The folder Claude Code writes this directory's transcripts to: the real path with
 * every non-alphanumeric character turned into "-"; a name longer than 200 characters
 * is cut to 200 and gets "-" and a hash of the whole path (Claude Code 2.1.332's rule).
 * The folder need not exist yet: Claude Code creates it on the first prompt.
 */
export function transcriptDirFor(projectsDir: string, cwd: string): string {
  let real = cwd;
  try {
    real = realpathSync(cwd);
  } catch {
    // A directory that vanished: the name is still derivable.
  }
  const escaped = real.replace(/[^a-zA-Z0-9]/g, "-");
  if (escaped.length <= NAME_LIMIT) return join(projectsDir, escaped);
  return join(projectsDir, `${escaped.slice(0, NAME_LIMIT)}-${pathHash(real)}`);
}

/**
 * Claude Code's hash for a long folder name: the 32-bit `h * 31 + code unit` over the
 * path's UTF-16 code units, its absolute value in base 36.
 */
function pathHash(path: string): string {
  let hash = 0;
  for (let i = 0; i < path.length; i++) hash = (hash * 31 + path.charCodeAt(i)) | 0;
  return Math.abs(hash).toString(36);
}

/** Whether Claude Code has a transcript of this conversation, i.e. it can be resumed. */
export function conversationExists(projectsDir: string, cwd: string, conversationId: string): boolean {
  return existsSync(join(transcriptDirFor(projectsDir, cwd), `${conversationId}.jsonl`));
}

/**
 * Follows the transcripts in `dir` as they grow, from what they hold now: every
 * new entry the phone can render is passed on once (by uuid). All files of the
 * folder are followed, because a resumed or `-c` conversation may write to a file
 * whose name we do not know in advance; the file that grew last names the conversation.
 */
export function tailTranscripts(input: {
  dir: string;
  onEntry: (entry: AgentOutput) => void;
  onConversationId: (id: string) => void;
}): { stop(): void; poll(): void } {
  const offsets = new Map<string, number>();
  const partial = new Map<string, string>();
  const seen = new Set<string>();
  let conversation: string | null = null;

  const files = () => (existsSync(input.dir) ? readdirSync(input.dir).filter((name) => name.endsWith(".jsonl")) : []);
  for (const name of files()) offsets.set(name, sizeOf(join(input.dir, name)));

  const readNew = (name: string) => {
    const path = join(input.dir, name);
    const size = sizeOf(path);
    const from = offsets.get(name) ?? 0;
    if (size <= from) return;
    const length = Math.min(size - from, MAX_READ_PER_TICK);
    const bytes = Buffer.alloc(length);
    const fd = openSync(path, "r");
    try {
      readSync(fd, bytes, 0, length, from);
    } finally {
      closeSync(fd);
    }
    offsets.set(name, from + length);
    const text = (partial.get(name) ?? "") + bytes.toString("utf8");
    const lines = text.split("\n");
    partial.set(name, lines.pop() ?? "");
    for (const line of lines) take(line, basename(name, ".jsonl"));
  };

  const take = (line: string, fileId: string) => {
    const entry = parseEntry(line);
    if (!entry) return;
    const id = typeof entry.sessionId === "string" ? entry.sessionId : fileId;
    if (id !== conversation) {
      conversation = id;
      input.onConversationId(id);
    }
    if (!MIRRORED_TYPES.has(entry.type)) return;
    const key = typeof entry.uuid === "string" ? entry.uuid : typeof entry.leafUuid === "string" ? `summary:${entry.leafUuid}` : null;
    if (key) {
      if (seen.has(key)) return;
      if (seen.size >= MAX_REMEMBERED_UUIDS) seen.clear();
      seen.add(key);
    }
    input.onEntry(entry);
  };

  const poll = () => {
    for (const name of files()) readNew(name);
  };
  const timer = setInterval(poll, POLL_MS);
  return {
    poll,
    stop() {
      clearInterval(timer);
      poll();
    },
  };
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function parseEntry(line: string): AgentOutput | null {
  if (!line.trim()) return null;
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
    const type = (value as { type?: unknown }).type;
    return typeof type === "string" ? (value as AgentOutput) : null;
  } catch {
    return null;
  }
}
