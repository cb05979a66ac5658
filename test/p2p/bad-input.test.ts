import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Socket } from "socket.io-client";
import { LIMITS } from "../../src/protocol/limits.ts";
import { collect, createSession, startDaemon, type Daemon } from "../helpers/p2p.ts";
import { eventually, isAlive } from "../helpers/sandbox.ts";

// Bad input of every kind against one real daemon: each gets a precise refusal, and
// afterwards the daemon is the same process and has stored only the valid input.

/** Ids known only once the daemon runs; cases are functions of them. */
type Ids = { sid: string; machineId: string; daemonMachineId: string };

/** The daemon's default REST body limit (p2p-service: max(2 MiB, 2 × message limit)). */
const REST_BODY_LIMIT = 2 * 1024 * 1024;
/** The daemon's default message limit, equal to the metadata/state blob limit. */
const MESSAGE_LIMIT = 1024 * 1024;
const BIG = "x".repeat(LIMITS.blobMax + 1);
const LONG_ID = "i".repeat(LIMITS.id + 1);
const VALID_METADATA = "bWV0YQ==";
const FIRST_MESSAGE = "Zmlyc3Q=";
const LAST_MESSAGE = "bGFzdA==";
const NO_SESSION = "no-such-session";
const NO_MACHINE = "no-such-machine";
const ANSWER_WITHIN_MS = 5_000;

const SESSION_KEYS = [
  "id", "tag", "seq", "createdAt", "updatedAt", "active", "activeAt", "metadata", "metadataVersion",
  "agentState", "agentStateVersion", "dataEncryptionKey", "lastMessage",
].sort();
const MACHINE_KEYS = [
  "id", "seq", "metadata", "metadataVersion", "daemonState", "daemonStateVersion", "dataEncryptionKey",
  "active", "activeAt", "createdAt", "updatedAt",
].sort();

let daemon: Daemon;
let pid: number;
let ids: Ids;
let phone: Socket;
let firstAck: { ok: boolean; id: string; seq: number };
let tagsBefore: string[];
let machinesBefore: string[];

const sessionTags = async () =>
  ((await daemon.api("/v1/sessions")).body.sessions as Array<{ tag: string }>).map((s) => s.tag).sort();
const machineIds = async () => ((await daemon.api("/v1/machines")).body as Array<{ id: string }>).map((m) => m.id).sort();

beforeAll(async () => {
  daemon = await startDaemon();
  pid = daemon.pid;
  const [own] = (await daemon.api("/v1/machines")).body as Array<{ id: string }>;
  const session = await createSession(daemon, "bad-input-target");
  const machine = await daemon.api("/v1/machines", { method: "POST", json: { id: "m-bad-input", metadata: VALID_METADATA } });
  ids = { sid: session.id, machineId: machine.body.machine.id, daemonMachineId: own!.id };
  phone = await daemon.connect();
  firstAck = await phone.emitWithAck("message", { sid: ids.sid, message: FIRST_MESSAGE, localId: "valid-first" });
  expect(firstAck).toMatchObject({ ok: true, seq: 1 });
  tagsBefore = await sessionTags();
  machinesBefore = await machineIds();
});
afterAll(async () => {
  await daemon[Symbol.asyncDispose]();
});

// ---------------------------------------------------------------- REST

type RestCase = {
  name: string;
  path: string | ((ids: Ids) => string);
  method?: string;
  headers?: Record<string, string>;
  /** Sent as is; `json` is stringified with content-type application/json instead. */
  body?: string;
  json?: unknown;
  status: number;
  error: RegExp;
};

const NO_TOKEN = /^Invalid or missing bearer token$/;
const FOREIGN = /^Origin not allowed$/;
const auth = (authorization: string) => ({ authorization });
const history = (query: string) => ({ sid }: Ids) => `/v1/sessions/${sid}/messages${query}`;
const post = (path: string, json: unknown) => ({ path, method: "POST", json });
const session = (fields: Record<string, unknown>) => post("/v1/sessions", { tag: "never-stored", metadata: VALID_METADATA, ...fields });
const machine = (fields: Record<string, unknown>) => post("/v1/machines", { id: "m-never-stored", metadata: VALID_METADATA, ...fields });
const raw = (body: string, contentType: string) => ({ path: "/v1/sessions", method: "POST", body, headers: { "content-type": contentType } });

const REST_CASES: RestCase[] = [
  // Authentication comes first: nothing is read or parsed without the token.
  { name: "an empty Authorization header", path: "/v1/sessions", headers: auth(""), status: 401, error: NO_TOKEN },
  { name: "a wrong token of the right length", path: "/v1/sessions", headers: auth(`Bearer ${"0".repeat(128)}`), status: 401, error: NO_TOKEN },
  { name: "a truncated token", path: history(""), headers: auth("Bearer abc"), status: 401, error: NO_TOKEN },
  { name: "Bearer with no token", path: "/v1/machines", headers: auth("Bearer "), status: 401, error: NO_TOKEN },
  { name: "a Basic scheme", path: "/v2/sessions", headers: auth("Basic dXNlcjpwYXNz"), status: 401, error: NO_TOKEN },
  {
    name: "a write without a token, with a malformed body",
    ...raw("{", "application/json"),
    headers: { ...auth(""), "content-type": "application/json" },
    status: 401,
    error: NO_TOKEN,
  },
  // A browser page elsewhere is refused before anything else, REST and Socket.IO alike.
  { name: "a foreign Origin on a read", path: "/v1/sessions", headers: { origin: "https://evil.example" }, status: 403, error: FOREIGN },
  { name: "a foreign Origin on a write", ...session({ tag: "from-evil" }), headers: { origin: "http://evil.example" }, status: 403, error: FOREIGN },
  { name: "the opaque Origin null (sandboxed frame)", path: "/health", headers: { origin: "null" }, status: 403, error: FOREIGN },
  {
    name: "a foreign Origin on the Socket.IO polling handshake",
    path: "/v1/updates/?EIO=4&transport=polling",
    headers: { origin: "https://evil.example" },
    status: 403,
    error: FOREIGN,
  },
  // Bodies that are not a JSON object.
  { name: "malformed JSON", ...raw('{"tag": ', "application/json"), status: 400, error: /^body: not valid JSON$/ },
  { name: "an empty body", ...raw("", "application/json"), status: 400, error: /^body: not valid JSON$/ },
  { name: "a form-encoded body", ...raw("tag=t&metadata=m", "application/x-www-form-urlencoded"), status: 400, error: /^body: not valid JSON$/ },
  { name: "JSON null", ...post("/v1/sessions", null), status: 400, error: /^body: .*expected object, received null/ },
  { name: "a JSON array", ...post("/v1/machines", [{ id: "m", metadata: "m" }]), status: 400, error: /^body: .*expected object, received array/ },
  { name: "a JSON string", ...post("/v1/sessions", "tag"), status: 400, error: /^body: .*expected object, received string/ },
  { name: "a field over its limit in a body under the body limit", ...session({ metadata: BIG }), status: 400, error: /^metadata: Too big/ },
  // POST /v1/sessions fields.
  { name: "session without tag", ...session({ tag: undefined }), status: 400, error: /^tag: .*expected string, received undefined/ },
  { name: "session without metadata", ...session({ metadata: undefined }), status: 400, error: /^metadata: .*expected string, received undefined/ },
  { name: "session with an empty tag", ...session({ tag: "" }), status: 400, error: /^tag: Too small/ },
  { name: "session with a numeric tag", ...session({ tag: 7 }), status: 400, error: /^tag: .*expected string, received number/ },
  { name: "session with a tag over 500 characters", ...session({ tag: "t".repeat(LIMITS.tag + 1) }), status: 400, error: /^tag: Too big/ },
  { name: "session with null metadata", ...session({ metadata: null }), status: 400, error: /^metadata: .*received null/ },
  { name: "session with object metadata", ...session({ metadata: { path: "/" } }), status: 400, error: /^metadata: .*received object/ },
  { name: "session with a numeric agentState", ...session({ agentState: 1 }), status: 400, error: /^agentState: .*received number/ },
  {
    name: "session with an oversize dataEncryptionKey",
    ...session({ dataEncryptionKey: "k".repeat(LIMITS.dataEncryptionKey + 1) }),
    status: 400,
    error: /^dataEncryptionKey: Too big/,
  },
  // POST /v1/machines fields.
  { name: "machine without id", ...machine({ id: undefined }), status: 400, error: /^id: .*received undefined/ },
  { name: "machine with an empty id", ...machine({ id: "" }), status: 400, error: /^id: Too small/ },
  { name: "machine with a numeric id", ...machine({ id: 42 }), status: 400, error: /^id: .*received number/ },
  { name: "machine with an id over 200 characters", ...machine({ id: LONG_ID }), status: 400, error: /^id: Too big/ },
  { name: "machine without metadata", ...machine({ metadata: undefined }), status: 400, error: /^metadata: .*received undefined/ },
  { name: "machine with numeric metadata", ...machine({ metadata: 5 }), status: 400, error: /^metadata: .*received number/ },
  { name: "machine with object daemonState", ...machine({ daemonState: { pid: 1 } }), status: 400, error: /^daemonState: .*received object/ },
  { name: "machine with a numeric dataEncryptionKey", ...machine({ dataEncryptionKey: 1 }), status: 400, error: /^dataEncryptionKey: .*received number/ },
  // History query parameters.
  { name: "history limit=-1", path: history("?limit=-1"), status: 400, error: /^limit: Too small/ },
  { name: "history limit=0", path: history("?limit=0"), status: 400, error: /^limit: Too small/ },
  { name: "history empty limit", path: history("?limit="), status: 400, error: /^limit: Too small/ },
  { name: "history limit=abc", path: history("?limit=abc"), status: 400, error: /^limit: .*received NaN/ },
  { name: "history limit=1.5", path: history("?limit=1.5"), status: 400, error: /^limit: .*expected int/ },
  { name: "history limit=1001", path: history("?limit=1001"), status: 400, error: /^limit: Too big/ },
  { name: "history limit=1e400", path: history("?limit=1e400"), status: 400, error: /^limit: .*received Infinity/ },
  { name: "history limit beyond 2^53", path: history("?limit=99999999999999999999"), status: 400, error: /^limit: Too big/ },
  { name: "history before=-1", path: history("?before=-1"), status: 400, error: /^before: Too small/ },
  { name: "history before=abc", path: history("?before=abc"), status: 400, error: /^before: .*received NaN/ },
  { name: "history after=2.5", path: history("?after=2.5"), status: 400, error: /^after: .*expected int/ },
  { name: "history before and after together", path: history("?before=5&after=1"), status: 400, error: /use either before or after, not both/ },
  // Session list cursors and limits.
  { name: "a cursor without the cursor_v1_ prefix", path: "/v2/sessions?cursor=abc", status: 400, error: /^cursor: not a cursor$/ },
  { name: "a cursor with nothing after the prefix", path: "/v2/sessions?cursor=cursor_v1_", status: 400, error: /^cursor: not a cursor$/ },
  { name: "a cursor whose id is not an id", path: "/v2/sessions?cursor=cursor_v1_nope", status: 400, error: /^cursor: not a cursor$/ },
  { name: "a cursor over 300 characters", path: `/v2/sessions?cursor=cursor_v1_${"c".repeat(300)}`, status: 400, error: /^cursor: Too big/ },
  { name: "a session page limit=201", path: "/v2/sessions?limit=201", status: 400, error: /^limit: Too big/ },
  { name: "a session page changedSince=-1", path: "/v2/sessions?changedSince=-1", status: 400, error: /^changedSince: Too small/ },
  { name: "a session page changedSince=yesterday", path: "/v2/sessions?changedSince=yesterday", status: 400, error: /^changedSince: .*received NaN/ },
  { name: "active sessions limit=501", path: "/v2/sessions/active?limit=501", status: 400, error: /^limit: Too big/ },
  // Unknown ids and routes.
  { name: "history of an unknown session", path: `/v1/sessions/${NO_SESSION}/messages`, status: 404, error: new RegExp(`^Session not found: ${NO_SESSION}$`) },
  { name: "history of a badly percent-encoded id", path: "/v1/sessions/%ZZ/messages", status: 404, error: /^Session not found: / },
  {
    name: "delete of an unknown session",
    path: `/v1/sessions/${NO_SESSION}`,
    method: "DELETE",
    status: 404,
    error: new RegExp(`^Session not found: ${NO_SESSION}$`),
  },
  { name: "an unknown machine", path: `/v1/machines/${NO_MACHINE}`, status: 404, error: /^Machine not found$/ },
  { name: "PUT on the session list", path: "/v1/sessions", method: "PUT", json: {}, status: 404, error: /^Not found: PUT \/v1\/sessions$/ },
  {
    name: "a message POSTed over REST (only the socket stores messages)",
    ...post("", { message: "aW5qZWN0ZWQ=" }),
    path: (i) => `/v1/sessions/${i.sid}/messages`,
    status: 404,
    error: /^Not found: POST /,
  },
];

function restRequest(c: RestCase) {
  const path = typeof c.path === "function" ? c.path(ids) : c.path;
  const init: RequestInit & { json?: unknown } = { method: c.method ?? "GET", headers: c.headers };
  if (c.body !== undefined) init.body = c.body;
  if ("json" in c) init.json = c.json;
  return daemon.api(path, init);
}

/** A JSON body just over the REST body limit. */
const postOversize = () =>
  daemon.api("/v1/sessions", { json: { tag: "too-big", metadata: "x".repeat(REST_BODY_LIMIT) }, method: "POST" });

describe("bad REST input", () => {
  test.each(REST_CASES)("$name is answered with its status and { error }", async (c) => {
    const answer = await restRequest(c);
    expect(answer.status).toBe(c.status);
    expect(Object.keys(answer.body)).toEqual(["error"]);
    expect(answer.body.error).toMatch(c.error);
  });

  test("a body over the 2 MiB limit is refused with 413 before it is read", async () => {
    const answer = await postOversize();
    expect(answer.status).toBe(413);
  });

  // src/p2p/server.ts sets Bun.serve's maxRequestBodySize to exactly restBodyBytes, so Bun
  // answers 413 with an empty body before Hono's bodyLimit (with its JSON error) runs.
  test("a body over the limit gets the { error } envelope like every other refusal", async () => {
    const answer = await postOversize();
    expect(answer).toEqual({ status: 413, body: { error: expect.stringContaining("larger than") } });
  });

  const ACCEPTED = [
    {
      name: "unknown fields of a new session are dropped and server fields cannot be forged",
      request: post("/v1/sessions", { tag: "bad-input-extra", metadata: VALID_METADATA, id: "forged", seq: 99, metadataVersion: 7, junk: true }),
      key: "session",
      keys: SESSION_KEYS,
      fields: { tag: "bad-input-extra", seq: 0, metadataVersion: 0, agentState: null },
    },
    {
      name: "unknown fields of a new machine are dropped and server fields cannot be forged",
      request: post("/v1/machines", { id: "m-bad-input-extra", metadata: VALID_METADATA, seq: 5, metadataVersion: 7, active: false, junk: [1] }),
      key: "machine",
      keys: MACHINE_KEYS,
      fields: { id: "m-bad-input-extra", seq: 0, metadataVersion: 0, daemonStateVersion: 0, active: true },
    },
    {
      // Lenient, and harmless: the route still wants the bearer token, which a form cannot send.
      name: "a JSON body labelled text/plain is read as JSON",
      request: raw(JSON.stringify({ tag: "bad-input-text-plain", metadata: VALID_METADATA }), "text/plain"),
      key: "session",
      keys: SESSION_KEYS,
      fields: { tag: "bad-input-text-plain", metadata: VALID_METADATA },
    },
  ];
  test.each(ACCEPTED)("$name", async ({ request, key, keys, fields }) => {
    const { path, ...init } = request;
    const answer = await daemon.api(path, init);
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.body)).toEqual([key]);
    expect(Object.keys(answer.body[key]).sort()).toEqual(keys);
    expect(answer.body[key]).toMatchObject(fields);
    expect(answer.body[key].id).not.toBe("forged");
  });
});

// ---------------------------------------------------------------- Socket.IO

/** Events answering errors as { result: "error", message }; the others as { ok: false, error }. */
const RESULT_EVENTS = ["update-metadata", "update-state", "machine-update-metadata", "machine-update-state"];
const OK_EVENTS = [
  "message", "session-alive", "session-end", "machine-alive", "usage-report",
  "rpc-register", "rpc-unregister", "rpc-call", "access-key-get",
];

/** A valid payload per event; every case breaks one thing in it. */
const VALID: Record<string, (ids: Ids) => Record<string, unknown>> = {
  message: ({ sid }) => ({ sid, message: "bm90LXN0b3JlZA==", localId: "never-stored" }),
  "update-metadata": ({ sid }) => ({ sid, metadata: "bm90LXN0b3JlZA==", expectedVersion: 0 }),
  "update-state": ({ sid }) => ({ sid, agentState: "bm90LXN0b3JlZA==", expectedVersion: 0 }),
  "session-alive": ({ sid }) => ({ sid, time: Date.now(), thinking: true, mode: "remote" }),
  "session-end": ({ sid }) => ({ sid, time: Date.now() }),
  "machine-alive": ({ machineId }) => ({ machineId, time: Date.now() }),
  "machine-update-metadata": ({ machineId }) => ({ machineId, metadata: "bm90LXN0b3JlZA==", expectedVersion: 0 }),
  "machine-update-state": ({ machineId }) => ({ machineId, daemonState: "bm90LXN0b3JlZA==", expectedVersion: 0 }),
  "usage-report": ({ sid }) => ({
    key: "claude",
    sessionId: sid,
    tokens: { total: 3, input: 1, output: 2, cache_creation: 0, cache_read: 0 },
    cost: { total: 0.5, input: 0.2, output: 0.3 },
  }),
  "rpc-register": ({ sid }) => ({ method: `${sid}:bad-input` }),
  "rpc-unregister": ({ sid }) => ({ method: `${sid}:bad-input` }),
  "rpc-call": ({ daemonMachineId }) => ({ method: `${daemonMachineId}:stop-session`, params: "" }),
  "access-key-get": ({ sid, machineId }) => ({ sessionId: sid, machineId }),
};

const refusal = (event: string, why: RegExp) =>
  RESULT_EVENTS.includes(event)
    ? { result: "error", message: expect.stringMatching(why) }
    : { ok: false, error: expect.stringMatching(why) };

type SocketCase = { event: string; name: string; args: (ids: Ids) => unknown[]; answer: unknown };

/** Payloads that are not an object at all: every event with an ack refuses each. */
const NOT_OBJECTS: Array<[string, unknown[]]> = [
  ["no payload", []],
  ["a string", ["hello"]],
  ["a number", [42]],
  ["null", [null]],
  ["an array", [["sid", "message"]]],
];
const shapeCases: SocketCase[] = [...RESULT_EVENTS, ...OK_EVENTS].flatMap((event) =>
  NOT_OBJECTS.map(([label, args]) => ({
    event,
    name: label,
    args: () => args,
    answer: refusal(event, /^invalid payload: .*expected object/),
  })),
);

/** One field broken (undefined = left out); `answer` when the refusal is not a parse error. */
type FieldCase = { event: string; name: string; patch: (ids: Ids) => Record<string, unknown>; why?: RegExp; answer?: unknown };
const field = (event: string, name: string, patch: Record<string, unknown>, why: RegExp): FieldCase => ({ event, name, patch: () => patch, why });
const answered = (event: string, name: string, patch: Record<string, unknown>, answer: unknown): FieldCase => ({ event, name, patch: () => patch, answer });
const unknownSession = (event: string, answer: unknown) => answered(event, "an unknown session", { sid: NO_SESSION }, answer);
const unknownMachine = (event: string) =>
  answered(event, "an unknown machine", { machineId: NO_MACHINE }, { result: "error", message: `unknown machine ${NO_MACHINE}` });

const FIELD_CASES: FieldCase[] = [
  field("message", "sid is a number", { sid: 1 }, /^invalid sid: .*expected string/),
  field("message", "sid is empty", { sid: "" }, /^invalid sid: Too small/),
  field("message", "sid is over 200 characters", { sid: LONG_ID }, /^invalid sid: Too big/),
  field("message", "message is missing", { message: undefined }, /^invalid message: .*received undefined/),
  field("message", "message is empty", { message: "" }, /^invalid message: Too small/),
  field("message", "message is an object", { message: { t: "encrypted", c: "eA==" } }, /^invalid message: .*received object/),
  field("message", "message is binary", { message: new Uint8Array([1, 2, 3]) }, /^invalid message: .*expected string/),
  field("message", "message is over the message limit", { message: BIG }, new RegExp(`^message is larger than ${MESSAGE_LIMIT} bytes$`)),
  field("message", "localId is a number", { localId: 7 }, /^invalid localId: .*received number/),
  field("message", "localId is empty", { localId: "" }, /^invalid localId: Too small/),
  field("message", "localId is over 200 characters", { localId: LONG_ID }, /^invalid localId: Too big/),
  unknownSession("message", { ok: false, error: `unknown session ${NO_SESSION}` }),

  field("update-metadata", "sid is a number", { sid: 5 }, /^invalid sid: .*expected string/),
  field("update-metadata", "metadata is a number", { metadata: 5 }, /^invalid metadata: .*received number/),
  field("update-metadata", "metadata is null", { metadata: null }, /^invalid metadata: .*received null/),
  field("update-metadata", "metadata is over 1 MiB", { metadata: BIG }, /^invalid metadata: Too big/),
  field("update-metadata", "expectedVersion is missing", { expectedVersion: undefined }, /^invalid expectedVersion: .*received undefined/),
  field("update-metadata", "expectedVersion is a string", { expectedVersion: "0" }, /^invalid expectedVersion: .*received string/),
  field("update-metadata", "expectedVersion is negative", { expectedVersion: -1 }, /^invalid expectedVersion: Too small/),
  field("update-metadata", "expectedVersion is fractional", { expectedVersion: 0.5 }, /^invalid expectedVersion: .*expected int/),
  field("update-metadata", "expectedVersion is NaN (null on the wire)", { expectedVersion: NaN }, /^invalid expectedVersion: .*received null/),
  unknownSession("update-metadata", { result: "error", message: `unknown session ${NO_SESSION}` }),

  field("update-state", "agentState is missing (null is the way to clear it)", { agentState: undefined }, /^invalid agentState: .*received undefined/),
  field("update-state", "agentState is an object", { agentState: { requests: {} } }, /^invalid agentState: .*received object/),
  field("update-state", "agentState is over 1 MiB", { agentState: BIG }, /^invalid agentState: Too big/),
  field("update-state", "expectedVersion is beyond 2^53", { expectedVersion: 2 ** 60 }, /^invalid expectedVersion: Too big/),
  unknownSession("update-state", { result: "error", message: `unknown session ${NO_SESSION}` }),

  field("session-alive", "sid is missing", { sid: undefined }, /^invalid sid: .*received undefined/),
  field("session-alive", "time is a string", { time: "now" }, /^invalid time: .*received string/),
  field("session-alive", "time is negative", { time: -1 }, /^invalid time: Too small/),
  field("session-alive", "time is Infinity (null on the wire)", { time: Infinity }, /^invalid time: .*received null/),
  field("session-alive", "thinking is a string", { thinking: "yes" }, /^invalid thinking: .*received string/),
  field("session-alive", "mode is over 50 characters", { mode: "m".repeat(51) }, /^invalid mode: Too big/),
  field("session-end", "time is missing", { time: undefined }, /^invalid time: .*received undefined/),
  field("session-end", "sid is over 200 characters", { sid: LONG_ID }, /^invalid sid: Too big/),

  unknownSession("session-alive", { ok: false, error: `unknown session ${NO_SESSION}` }),
  unknownSession("session-end", { ok: false, error: `unknown session ${NO_SESSION}` }),
  answered("machine-alive", "an unknown machine", { machineId: NO_MACHINE }, { ok: false, error: `unknown machine ${NO_MACHINE}` }),
  field("machine-alive", "machineId is missing", { machineId: undefined }, /^invalid machineId: .*received undefined/),
  field("machine-alive", "time is a string", { time: "2024-01-01" }, /^invalid time: .*received string/),
  field("machine-update-metadata", "machineId is a number", { machineId: 9 }, /^invalid machineId: .*received number/),
  field("machine-update-metadata", "metadata is over 1 MiB", { metadata: BIG }, /^invalid metadata: Too big/),
  field("machine-update-metadata", "expectedVersion is negative", { expectedVersion: -3 }, /^invalid expectedVersion: Too small/),
  unknownMachine("machine-update-metadata"),
  field("machine-update-state", "daemonState is null (unlike agentState, not clearable)", { daemonState: null }, /^invalid daemonState: .*received null/),
  field("machine-update-state", "expectedVersion is fractional", { expectedVersion: 1.5 }, /^invalid expectedVersion: .*expected int/),
  unknownMachine("machine-update-state"),

  field("usage-report", "key is empty", { key: "" }, /^invalid key: Too small/),
  field("usage-report", "tokens are missing", { tokens: undefined }, /^invalid tokens: .*received undefined/),
  field(
    "usage-report",
    "a token count is negative",
    { tokens: { total: -1, input: 0, output: 0, cache_creation: 0, cache_read: 0 } },
    /^invalid tokens\.total: Too small/,
  ),
  field("usage-report", "cost is a string", { cost: "0.5" }, /^invalid cost: .*received string/),

  field("rpc-register", "method is missing", { method: undefined }, /^invalid method: .*received undefined/),
  field("rpc-register", "method is empty", { method: "" }, /^invalid method: Too small/),
  field("rpc-register", "method is over 200 characters", { method: "m".repeat(LIMITS.method + 1) }, /^invalid method: Too big/),
  field("rpc-unregister", "method is a number", { method: 1 }, /^invalid method: .*received number/),
  field("rpc-call", "method is missing", { method: undefined }, /^invalid method: .*received undefined/),
  field("rpc-call", "params are missing", { params: undefined }, /^invalid params: /),
  field("rpc-call", "method is over 200 characters", { method: "m".repeat(LIMITS.method + 1) }, /^invalid method: Too big/),
  answered("rpc-call", "a method nobody registered", { method: "nobody:home" }, {
    ok: false,
    error: "No handler registered for method: nobody:home",
  }),
  ...[{}, null, "not base64!", "AAAA"].map(
    (params): FieldCase => ({
      event: "rpc-call",
      name: `stop-daemon with unencrypted params ${JSON.stringify(params)}`,
      patch: ({ daemonMachineId }) => ({ method: `${daemonMachineId}:stop-daemon`, params }),
      answer: { ok: false, error: "params must be an encrypted string (PROTOCOL.md §7)" },
    }),
  ),
  ...["A".repeat(64), `AA${"B".repeat(62)}`].map(
    (params): FieldCase => ({
      event: "rpc-call",
      name: `stop-daemon with params that look encrypted but do not authenticate (${params.slice(0, 4)}…)`,
      patch: ({ daemonMachineId }) => ({ method: `${daemonMachineId}:stop-daemon`, params }),
      answer: { ok: false, error: expect.stringMatching(/^params did not decrypt with the key of .+; pair again$/) },
    }),
  ),
  field("access-key-get", "sessionId is missing", { sessionId: undefined }, /^invalid sessionId: .*received undefined/),
];

const fieldCases: SocketCase[] = FIELD_CASES.map((c) => ({
  event: c.event,
  name: c.name,
  args: (i) => [{ ...VALID[c.event]!(i), ...c.patch(i) }],
  answer: c.answer ?? refusal(c.event, c.why!),
}));

const SOCKET_CASES: SocketCase[] = [
  ...shapeCases,
  ...fieldCases,
  // ping takes no payload and ignores any.
  ...NOT_OBJECTS.map(([label, args]): SocketCase => ({ event: "ping", name: label, args: () => args, answer: {} })),
];

/** emitWithAck with a bound, so a missing answer fails the case instead of hanging it. */
const ask = (socket: Socket, event: string, ...args: unknown[]) => socket.timeout(ANSWER_WITHIN_MS).emitWithAck(event, ...args);

const nextDisconnect = (socket: Socket) => new Promise<string>((resolve) => socket.once("disconnect", resolve));

describe("bad Socket.IO input", () => {
  test.each(SOCKET_CASES)("$event with $name is answered precisely", async ({ event, args, answer }) => {
    expect(await ask(phone, event, ...args(ids))).toEqual(answer);
  });

  const HANDSHAKES: Array<[string, Record<string, unknown>, RegExp]> = [
    ["a numeric token", { token: 123 }, /^Authentication failed: invalid token: .*expected string/],
    ["a token over 256 characters", { token: "f".repeat(257) }, /^Authentication failed: invalid token: Too big/],
    ["an unknown clientType", { clientType: "admin" }, /^Authentication failed: invalid clientType: /],
    ["a sessionId over 200 characters", { clientType: "session-scoped", sessionId: LONG_ID }, /^Authentication failed: invalid sessionId: Too big/],
  ];
  test.each(HANDSHAKES)("a handshake with %s is refused with connect_error", async (_name, auth, why) => {
    await expect(daemon.connect(auth)).rejects.toThrow(why);
  });

  test("events for unknown sessions and machines without an ack change nothing and tell nobody", async () => {
    const sender = await daemon.connect({ clientType: "session-scoped", sessionId: ids.sid });
    const ephemeral = collect<{ type: string; id: string } & Record<string, unknown>>(phone, "ephemeral");
    const now = Date.now();
    const unknown: Array<[string, Record<string, unknown>]> = [
      ["session-alive", { sid: NO_SESSION, time: now, thinking: true }],
      ["session-end", { sid: NO_SESSION, time: now }],
      ["machine-alive", { machineId: NO_MACHINE, time: now }],
      ["usage-report", { ...VALID["usage-report"]!(ids), sessionId: undefined }],
    ];
    for (const [event, payload] of unknown) sender.emit(event, payload);
    // One socket's events are handled in order: once the fence arrives, the others were handled.
    sender.emit("session-alive", { sid: ids.sid, time: now, thinking: false });
    const fence = await eventually("the fence's activity", () => ephemeral.find((e) => e.id === ids.sid));
    expect(fence).toEqual({ type: "activity", id: ids.sid, active: true, activeAt: now, thinking: false });
    expect(ephemeral.filter((e) => e.id === NO_SESSION || e.id === NO_MACHINE || e.type === "usage")).toEqual([]);
    expect((await daemon.api(`/v1/machines/${NO_MACHINE}`)).status).toBe(404);
  });

  test("events that expect an ack but are sent without one do not crash the daemon, and a valid one still applies", async () => {
    const sender = await daemon.connect();
    for (const event of [...RESULT_EVENTS, "message", "rpc-call", "access-key-get"]) {
      sender.emit(event);
      sender.emit(event, "hello");
      sender.emit(event, { ...VALID[event]!(ids), sid: NO_SESSION, machineId: NO_MACHINE, method: "nobody:home" });
    }
    sender.emit("update-metadata", { sid: ids.sid, metadata: "bm8tYWNr", expectedVersion: 0 });
    expect(await ask(sender, "ping")).toEqual({});
    const stored = (await daemon.api("/v1/sessions")).body.sessions.find((s: { id: string }) => s.id === ids.sid);
    expect(stored).toMatchObject({ metadata: "bm8tYWNr", metadataVersion: 1, agentStateVersion: 0 });
    expect(isAlive(pid)).toBe(true);
  });

  // src/p2p/socket/handle.ts answers a refused payload only through the ack; the reference
  // app emits rpc-register without one and listens for rpc-error, so it hears nothing.
  test("a bad rpc-register without an ack is answered with rpc-error", async () => {
    const sender = await daemon.connect();
    const errors = collect(sender, "rpc-error");
    sender.emit("rpc-register", { method: "" });
    // The server answers events of one socket in order: rpc-error would come before this ack.
    expect(await ask(sender, "ping")).toEqual({});
    expect(errors).toEqual([{ type: "register", error: expect.stringContaining("method") }]);
  });

  test("a frame over the transport limit closes only that connection", async () => {
    const sender = await daemon.connect();
    const closed = nextDisconnect(sender);
    // Frames may carry RPC params up to LIMITS.rpcParams; beyond that the transport closes.
    const tooBig = "x".repeat(LIMITS.rpcParams + 128 * 1024);
    await expect(ask(sender, "message", { sid: ids.sid, message: tooBig })).rejects.toThrow(/disconnected/);
    expect(await closed).toBe("transport close");
    expect(await ask(phone, "ping")).toEqual({});
  });

  test("a malformed Socket.IO packet closes only that connection", async () => {
    const sender = await daemon.connect();
    const closed = nextDisconnect(sender);
    sender.io.engine.write(`42["message",{"sid":"${ids.sid}","message":`);
    expect(await closed).toBe("transport close");
    expect(await ask(phone, "ping")).toEqual({});
  });
});

// ---------------------------------------------------------------- afterwards

describe("after all the bad input", () => {
  test("the daemon is the same process, valid input still works, and only valid input was stored", async () => {
    expect(isAlive(pid)).toBe(true);
    expect(daemon.box.row()).toMatchObject({ state: "running", pid });
    expect(await daemon.api("/health")).toEqual({ status: 200, body: { status: "ok", mode: "p2p" } });

    const last = await ask(phone, "message", { sid: ids.sid, message: LAST_MESSAGE, localId: "valid-last" });
    expect(last).toEqual({ ok: true, id: expect.any(String), seq: 2, localId: "valid-last" });
    const messages = (await daemon.api(`/v1/sessions/${ids.sid}/messages`)).body.messages;
    expect(messages.map((m: { id: string; seq: number; localId: string; content: unknown }) => [m.id, m.seq, m.localId, m.content])).toEqual([
      [last.id, 2, "valid-last", { t: "encrypted", c: LAST_MESSAGE }],
      [firstAck.id, 1, "valid-first", { t: "encrypted", c: FIRST_MESSAGE }],
    ]);

    // Only the accepted REST cases added sessions and machines; the metadata changed once (the valid no-ack update).
    expect(await sessionTags()).toEqual([...tagsBefore, "bad-input-extra", "bad-input-text-plain"].sort());
    expect(await machineIds()).toEqual([...machinesBefore, "m-bad-input-extra"].sort());
    const target = (await daemon.api("/v1/sessions")).body.sessions.find((s: { id: string }) => s.id === ids.sid);
    expect(target).toMatchObject({ metadata: "bm8tYWNr", metadataVersion: 1, agentState: null, agentStateVersion: 0 });
    expect((await daemon.api(`/v1/machines/${ids.machineId}`)).body.machine).toMatchObject({
      metadata: VALID_METADATA,
      metadataVersion: 0,
      daemonState: null,
      daemonStateVersion: 0,
    });

    // Every refusal above was a parse or lookup answer, never a handler that threw.
    const logPath = String(daemon.box.row()?.log_path);
    expect(readFileSync(logPath, "utf8")).not.toMatch(/handler failed/);
  });
});
