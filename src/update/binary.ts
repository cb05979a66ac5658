import { statSync } from "node:fs";
import { fail, ok, type Result } from "../shared/result.ts";
import { identityProof, newNonce, PreflightAnswer, type BuildIdentity } from "./identity.ts";

/** What tells us a file was replaced: an atomic install changes the inode, a copy the size or mtime. */
export type BinaryIdentity = { size: number; mtimeMs: number; ino: number };

export function identityOf(path: string): BinaryIdentity | null {
  try {
    const { size, mtimeMs, ino } = statSync(path);
    return { size, mtimeMs, ino };
  } catch {
    return null;
  }
}

export function sameIdentity(a: BinaryIdentity | null, b: BinaryIdentity | null): boolean {
  return a !== null && b !== null && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

/** Until the identity line: a remcli build prints it before anything else. */
const PROBE_TIMEOUT_MS = 5_000;
/**
 * The whole preflight: after its identity it tries this binary's migrations on a copy of
 * the database (store/migrations.ts), which takes longer with a large database.
 */
const PREFLIGHT_TIMEOUT_MS = 120_000;
/** A preflight answer is one short line; a program that floods its output is not remcli. */
const MAX_OUTPUT_BYTES = 16 * 1024;

async function bounded(stream: ReadableStream<Uint8Array>, onOverflow: () => void, onLine: () => void = () => {}): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    if (chunk.includes(10)) onLine();
    size += chunk.byteLength;
    if (size > MAX_OUTPUT_BYTES) {
      onOverflow();
      break;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function run(command: string[]): Promise<{ code: number | null; out: string; err: string }> {
  try {
    const child = Bun.spawn(command, { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
    const kill = () => child.kill("SIGKILL");
    let timer = setTimeout(kill, PROBE_TIMEOUT_MS);
    let answered = false;
    const onLine = () => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      timer = setTimeout(kill, PREFLIGHT_TIMEOUT_MS);
    };
    const [out, err, code] = await Promise.all([bounded(child.stdout, kill, onLine), bounded(child.stderr, kill), child.exited]);
    clearTimeout(timer);
    return { code, out, err };
  } catch (error) {
    return { code: null, out: "", err: String(error) };
  }
}

/** Who a binary says it is, and why it could not run a daemon here (null when it could). */
export type Identified = { identity: BuildIdentity; problem: string | null };

/**
 * `<path> daemon preflight --nonce <n>`: the binary loads its whole program, answers the
 * challenge with its identity, reads this home's state and says whether it could run a
 * daemon here. Fails when the answer is not a remcli build's: a script that prints a
 * version line, or an older remcli that knows no challenge, is not taken for one.
 */
export async function identify(path: string): Promise<Result<Identified>> {
  const nonce = newNonce();
  const { code, out, err } = await run([path, "daemon", "preflight", "--nonce", nonce]);
  if (code === null) return fail("spawn_failed", `${path} could not be run: ${err.trim().slice(0, 300)}`);
  const said = (out.trim() || err.trim()).slice(0, 120);
  const unlike = `${path} is not a remcli binary: \`daemon preflight --nonce\` exited ${code} and answered ${JSON.stringify(said)}`;
  let json: unknown;
  try {
    json = JSON.parse(out.trim().split("\n")[0] ?? "");
  } catch {
    return fail("bad_request", unlike);
  }
  const answer = PreflightAnswer.safeParse(json);
  if (!answer.success) return fail("bad_request", unlike);
  const { proof, ...identity } = answer.data;
  if (proof !== identityProof(nonce, identity)) return fail("bad_request", `${path} is not a remcli binary: its preflight answer does not prove the challenge`);
  const problem = code === 0 ? null : `${path} daemon preflight failed (exit ${code}): ${err.trim().slice(0, 300)}`;
  return ok({ identity, problem });
}
