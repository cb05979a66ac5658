import { describe, expect, test } from "bun:test";
import type { z } from "zod";
import {
  AccessKeyGetEvent,
  MachineAliveEvent,
  MachineUpdateMetadataEvent,
  MachineUpdateStateEvent,
  MessageEvent,
  RpcCallEvent,
  RpcRegisterEvent,
  RpcUnregisterEvent,
  SessionAliveEvent,
  SessionEndEvent,
  UpdateMetadataEvent,
  UpdateStateEvent,
  UsageReportEvent,
} from "../../src/protocol/client-events.ts";
import { SocketAuth } from "../../src/protocol/handshake.ts";
import { LIMITS } from "../../src/protocol/limits.ts";
import {
  ActiveSessionsQuery,
  CreateMachineBody,
  CreateSessionBody,
  MessagesQuery,
  SessionsPageQuery,
} from "../../src/protocol/rest.ts";
import { AgentKind, SpawnSessionParams, StopSessionParams } from "../../src/protocol/rpc.ts";

type Case = {
  schema: z.ZodType;
  name: string;
  title: string;
  input: unknown;
  /** What parse gives back; absent for a refused payload. */
  output?: unknown;
  /** For a refused payload: the dotted path of an issue it must report ("" is the root). */
  issue?: string;
};

const s = (length: number): string => "x".repeat(length);

/** The cases of one schema: `accepts(title, input, output = input)` and `refuses(title, input, issuePath)`. */
function cases(
  name: string,
  schema: z.ZodType,
  build: (
    accepts: (title: string, input: unknown, output?: unknown) => void,
    refuses: (title: string, input: unknown, issue: string) => void,
  ) => void,
): Case[] {
  const out: Case[] = [];
  build(
    (title, input, output = input) => out.push({ schema, name, title, input, output }),
    (title, input, issue) => out.push({ schema, name, title, input, issue }),
  );
  return out;
}

/** Payloads that are not objects at all: every object schema refuses them at the root. */
function notObjects(refuses: (title: string, input: unknown, issue: string) => void): void {
  for (const input of [null, undefined, "text", 42, []]) refuses(`${JSON.stringify(input) ?? "undefined"} instead of an object`, input, "");
}

const BAD_VERSIONS: Array<[string, unknown]> = [
  ["negative", -1],
  ["a float", 1.5],
  ["NaN", Number.NaN],
  ["Infinity", Number.POSITIVE_INFINITY],
  ["beyond the safe integers", 2 ** 53],
  ["a numeric string", "3"],
  ["null", null],
];

const BAD_TIMES: Array<[string, unknown]> = [
  ["negative", -1],
  ["NaN", Number.NaN],
  ["Infinity", Number.POSITIVE_INFINITY],
  ["a numeric string", "1700000000000"],
];

const tokens = { total: 10, input: 4, output: 6, cache_creation: 0, cache_read: 2.5 };
const cost = { total: 0.25, input: 0.05, output: 0.2 };

const table: Case[] = [
  ...cases("MessageEvent", MessageEvent, (accepts, refuses) => {
    accepts("a message without localId", { sid: "s1", message: "ZW5jcnlwdGVk" });
    accepts("a null localId", { sid: "s1", message: "m", localId: null });
    accepts("a localId of the longest length", { sid: "s1", message: "m", localId: s(LIMITS.localId) });
    accepts("sid and message of the longest lengths", { sid: s(LIMITS.id), message: s(LIMITS.messageMax) });
    accepts("extra fields, which it drops", { sid: "s1", message: "m", seq: 3, admin: true }, { sid: "s1", message: "m" });
    notObjects(refuses);
    refuses("a missing sid", { message: "m" }, "sid");
    refuses("an empty sid", { sid: "", message: "m" }, "sid");
    refuses("a numeric sid", { sid: 1, message: "m" }, "sid");
    refuses("an oversize sid", { sid: s(LIMITS.id + 1), message: "m" }, "sid");
    refuses("a missing message", { sid: "s1" }, "message");
    refuses("an empty message", { sid: "s1", message: "" }, "message");
    refuses("an oversize message", { sid: "s1", message: s(LIMITS.messageMax + 1) }, "message");
    refuses("a message object instead of ciphertext", { sid: "s1", message: { c: "m" } }, "message");
    refuses("an empty localId", { sid: "s1", message: "m", localId: "" }, "localId");
    refuses("an oversize localId", { sid: "s1", message: "m", localId: s(LIMITS.localId + 1) }, "localId");
  }),

  ...cases("UpdateMetadataEvent", UpdateMetadataEvent, (accepts, refuses) => {
    accepts("empty metadata at version 0", { sid: "s1", metadata: "", expectedVersion: 0 });
    accepts("metadata of the longest length", { sid: "s1", metadata: s(LIMITS.blobMax), expectedVersion: 7 });
    refuses("oversize metadata", { sid: "s1", metadata: s(LIMITS.blobMax + 1), expectedVersion: 7 }, "metadata");
    refuses("null metadata", { sid: "s1", metadata: null, expectedVersion: 0 }, "metadata");
    refuses("a missing expectedVersion", { sid: "s1", metadata: "" }, "expectedVersion");
    for (const [what, version] of BAD_VERSIONS) {
      refuses(`an expectedVersion that is ${what}`, { sid: "s1", metadata: "", expectedVersion: version }, "expectedVersion");
    }
  }),

  ...cases("UpdateStateEvent", UpdateStateEvent, (accepts, refuses) => {
    accepts("a null agentState (cleared)", { sid: "s1", agentState: null, expectedVersion: 1 });
    accepts("an agentState string", { sid: "s1", agentState: "c3RhdGU=", expectedVersion: 1 });
    refuses("a missing agentState", { sid: "s1", expectedVersion: 1 }, "agentState");
    refuses("an oversize agentState", { sid: "s1", agentState: s(LIMITS.blobMax + 1), expectedVersion: 1 }, "agentState");
    refuses("a float expectedVersion", { sid: "s1", agentState: null, expectedVersion: 0.5 }, "expectedVersion");
  }),

  ...cases("SessionAliveEvent", SessionAliveEvent, (accepts, refuses) => {
    accepts("a bare heartbeat", { sid: "s1", time: 1_700_000_000_000 });
    accepts("a fractional time, thinking and a mode", { sid: "s1", time: 0.5, thinking: true, mode: s(50) });
    refuses("an oversize mode", { sid: "s1", time: 1, mode: s(51) }, "mode");
    refuses("thinking as a string", { sid: "s1", time: 1, thinking: "yes" }, "thinking");
    refuses("a missing time", { sid: "s1" }, "time");
    for (const [what, time] of BAD_TIMES) refuses(`a time that is ${what}`, { sid: "s1", time }, "time");
  }),

  ...cases("SessionEndEvent", SessionEndEvent, (accepts, refuses) => {
    accepts("an end at time 0", { sid: "s1", time: 0 });
    refuses("a missing sid", { time: 0 }, "sid");
    refuses("a negative time", { sid: "s1", time: -0.001 }, "time");
  }),

  ...cases("MachineAliveEvent", MachineAliveEvent, (accepts, refuses) => {
    accepts("a heartbeat, dropping a stray sid", { machineId: "m1", time: 5, sid: "s1" }, { machineId: "m1", time: 5 });
    refuses("a sid instead of a machineId", { sid: "m1", time: 5 }, "machineId");
    refuses("an oversize machineId", { machineId: s(LIMITS.id + 1), time: 5 }, "machineId");
  }),

  ...cases("MachineUpdateMetadataEvent", MachineUpdateMetadataEvent, (accepts, refuses) => {
    accepts("metadata at version 3", { machineId: "m1", metadata: "bWV0YQ==", expectedVersion: 3 });
    refuses("a negative expectedVersion", { machineId: "m1", metadata: "", expectedVersion: -3 }, "expectedVersion");
    refuses("oversize metadata", { machineId: "m1", metadata: s(LIMITS.blobMax + 1), expectedVersion: 3 }, "metadata");
  }),

  ...cases("MachineUpdateStateEvent", MachineUpdateStateEvent, (accepts, refuses) => {
    accepts("a daemonState at version 0", { machineId: "m1", daemonState: "c3RhdGU=", expectedVersion: 0 });
    refuses("a null daemonState", { machineId: "m1", daemonState: null, expectedVersion: 0 }, "daemonState");
    refuses("a NaN expectedVersion", { machineId: "m1", daemonState: "", expectedVersion: Number.NaN }, "expectedVersion");
  }),

  ...cases("UsageReportEvent", UsageReportEvent, (accepts, refuses) => {
    accepts("a report for a session", { key: "claude-sonnet", sessionId: "s1", tokens, cost });
    accepts("a report without a session", { key: "k", tokens, cost });
    refuses("an empty key", { key: "", tokens, cost }, "key");
    refuses("tokens without cache_read", { key: "k", tokens: { ...tokens, cache_read: undefined }, cost }, "tokens.cache_read");
    refuses("negative output tokens", { key: "k", tokens: { ...tokens, output: -1 }, cost }, "tokens.output");
    refuses("a NaN total cost", { key: "k", tokens, cost: { ...cost, total: Number.NaN } }, "cost.total");
    refuses("a missing cost", { key: "k", tokens }, "cost");
    refuses("an empty sessionId", { key: "k", sessionId: "", tokens, cost }, "sessionId");
  }),

  ...cases("RpcRegisterEvent", RpcRegisterEvent, (accepts, refuses) => {
    accepts("a method name", { method: "m1:spawn-remcli-session" });
    refuses("an empty method", { method: "" }, "method");
    refuses("an oversize method", { method: s(LIMITS.method + 1) }, "method");
    refuses("a missing method", {}, "method");
  }),

  ...cases("RpcUnregisterEvent", RpcUnregisterEvent, (accepts, refuses) => {
    accepts("a method name", { method: "s1:bash" });
    refuses("a numeric method", { method: 1 }, "method");
  }),

  ...cases("RpcCallEvent", RpcCallEvent, (accepts, refuses) => {
    accepts("encrypted params", { method: "s1:bash", params: "ZW5j" });
    accepts("params of the longest length", { method: "s1:bash", params: s(LIMITS.rpcParams) });
    accepts("params that are plain JSON", { method: "m1:stop-daemon", params: { a: [1, 2] } });
    accepts("null params", { method: "m1:stop-daemon", params: null });
    refuses("oversize params", { method: "s1:bash", params: s(LIMITS.rpcParams + 1) }, "params");
    refuses("a missing method", { params: "ZW5j" }, "method");
  }),

  ...cases("AccessKeyGetEvent", AccessKeyGetEvent, (accepts, refuses) => {
    accepts("both ids", { sessionId: "s1", machineId: "m1" });
    refuses("a missing machineId", { sessionId: "s1" }, "machineId");
    refuses("an empty sessionId", { sessionId: "", machineId: "m1" }, "sessionId");
  }),

  ...cases("SocketAuth", SocketAuth, (accepts, refuses) => {
    const token = "a".repeat(128);
    accepts("a bare token, which defaults to user-scoped", { token }, { token, clientType: "user-scoped" });
    accepts("a session-scoped connection with its sessionId", { token, clientType: "session-scoped", sessionId: "s1" });
    accepts("a machine-scoped connection with its machineId", { token, clientType: "machine-scoped", machineId: "m1" });
    accepts(
      "a user-scoped connection, dropping unknown fields",
      { token, clientType: "user-scoped", role: "admin" },
      { token, clientType: "user-scoped" },
    );
    accepts("a token of the longest length", { token: s(256) }, { token: s(256), clientType: "user-scoped" });
    notObjects(refuses);
    refuses("a missing token", { clientType: "user-scoped" }, "token");
    refuses("an empty token", { token: "" }, "token");
    refuses("an oversize token", { token: s(257) }, "token");
    refuses("a numeric token", { token: 123 }, "token");
    refuses("an unknown clientType", { token, clientType: "admin-scoped" }, "clientType");
    refuses("a session-scoped connection without sessionId", { token, clientType: "session-scoped" }, "sessionId");
    refuses("a session-scoped connection with only a machineId", { token, clientType: "session-scoped", machineId: "m1" }, "sessionId");
    refuses("a machine-scoped connection without machineId", { token, clientType: "machine-scoped" }, "machineId");
    refuses("an empty sessionId", { token, clientType: "session-scoped", sessionId: "" }, "sessionId");
    refuses("an oversize machineId", { token, clientType: "machine-scoped", machineId: s(LIMITS.id + 1) }, "machineId");
  }),

  ...cases("CreateSessionBody", CreateSessionBody, (accepts, refuses) => {
    accepts("a tag and metadata", { tag: "t-1", metadata: "bWV0YQ==" });
    accepts("null agentState and dataEncryptionKey", { tag: "t", metadata: "", agentState: null, dataEncryptionKey: null });
    accepts("a tag and data key of the longest lengths", { tag: s(LIMITS.tag), metadata: "", dataEncryptionKey: s(LIMITS.dataEncryptionKey) });
    accepts("extra fields, which it drops", { tag: "t", metadata: "", id: "chosen-by-client" }, { tag: "t", metadata: "" });
    notObjects(refuses);
    refuses("a missing tag", { metadata: "" }, "tag");
    refuses("an empty tag", { tag: "", metadata: "" }, "tag");
    refuses("an oversize tag", { tag: s(LIMITS.tag + 1), metadata: "" }, "tag");
    refuses("missing metadata", { tag: "t" }, "metadata");
    refuses("metadata as an object", { tag: "t", metadata: { path: "/" } }, "metadata");
    refuses("oversize agentState", { tag: "t", metadata: "", agentState: s(LIMITS.blobMax + 1) }, "agentState");
    refuses("an oversize dataEncryptionKey", { tag: "t", metadata: "", dataEncryptionKey: s(LIMITS.dataEncryptionKey + 1) }, "dataEncryptionKey");
  }),

  ...cases("CreateMachineBody", CreateMachineBody, (accepts, refuses) => {
    accepts("an id and metadata", { id: "m1", metadata: "bWV0YQ==" });
    accepts("null daemonState and dataEncryptionKey", { id: "m1", metadata: "", daemonState: null, dataEncryptionKey: null });
    refuses("a missing id", { metadata: "" }, "id");
    refuses("an oversize id", { id: s(LIMITS.id + 1), metadata: "" }, "id");
    refuses("oversize daemonState", { id: "m1", metadata: "", daemonState: s(LIMITS.blobMax + 1) }, "daemonState");
    refuses("a numeric dataEncryptionKey", { id: "m1", metadata: "", dataEncryptionKey: 5 }, "dataEncryptionKey");
  }),

  ...cases("MessagesQuery", MessagesQuery, (accepts, refuses) => {
    accepts("no parameters, which gives the default limit", {}, { limit: 150 });
    accepts("a limit as query text", { limit: "10" }, { limit: 10 });
    accepts("the largest limit", { limit: "1000" }, { limit: 1000 });
    accepts("before as query text", { before: "5" }, { limit: 150, before: 5 });
    accepts("after 0", { after: "0", limit: "1" }, { limit: 1, after: 0 });
    refuses("limit 0", { limit: "0" }, "limit");
    refuses("a limit beyond 1000", { limit: "1001" }, "limit");
    refuses("a fractional limit", { limit: "1.5" }, "limit");
    refuses("a limit that is not a number", { limit: "ten" }, "limit");
    refuses("a negative before", { before: "-1" }, "before");
    refuses("a fractional after", { after: "2.5" }, "after");
    refuses("both before and after", { before: "9", after: "3" }, "");
  }),

  ...cases("ActiveSessionsQuery", ActiveSessionsQuery, (accepts, refuses) => {
    accepts("no parameters, which gives the default limit", {}, { limit: 150 });
    accepts("the largest limit", { limit: "500" }, { limit: 500 });
    refuses("a limit beyond 500", { limit: "501" }, "limit");
    refuses("a negative limit", { limit: "-5" }, "limit");
  }),

  ...cases("SessionsPageQuery", SessionsPageQuery, (accepts, refuses) => {
    accepts("no parameters, which gives the default limit", {}, { limit: 50 });
    accepts(
      "a cursor, a limit and changedSince",
      { cursor: "c-42", limit: "200", changedSince: "1700000000000" },
      { cursor: "c-42", limit: 200, changedSince: 1_700_000_000_000 },
    );
    accepts("a cursor of the longest length", { cursor: s(300) }, { cursor: s(300), limit: 50 });
    refuses("an oversize cursor", { cursor: s(301) }, "cursor");
    refuses("a limit beyond 200", { limit: "201" }, "limit");
    refuses("a negative changedSince", { changedSince: "-1" }, "changedSince");
    refuses("a changedSince that is not a number", { changedSince: "yesterday" }, "changedSince");
  }),

  ...cases("SpawnSessionParams", SpawnSessionParams, (accepts, refuses) => {
    accepts("a directory alone, which gets the spawn type", { directory: "/home/me/projekt-ü" }, {
      type: "spawn-in-directory",
      directory: "/home/me/projekt-ü",
    });
    const full = {
      type: "spawn-in-directory",
      directory: "/tmp/p",
      approvedNewDirectoryCreation: true,
      agent: "codex",
      token: "tok",
      environmentVariables: { FOO: "1", EMPTY: "" },
    };
    accepts("every field", full);
    accepts("a session to resume", { directory: "/tmp/p", sessionId: "s1" }, { type: "spawn-in-directory", directory: "/tmp/p", sessionId: "s1" });
    refuses("an empty session to resume", { directory: "/tmp/p", sessionId: "" }, "sessionId");
    refuses("an oversize session to resume", { directory: "/tmp/p", sessionId: s(201) }, "sessionId");
    accepts("a directory of the longest length", { directory: s(4096) }, { type: "spawn-in-directory", directory: s(4096) });
    notObjects(refuses);
    refuses("another request type", { type: "spawn-in-worktree", directory: "/tmp/p" }, "type");
    refuses("a missing directory", {}, "directory");
    refuses("an empty directory", { directory: "" }, "directory");
    refuses("an oversize directory", { directory: s(4097) }, "directory");
    refuses("an unknown agent", { directory: "/tmp/p", agent: "gpt" }, "agent");
    refuses("a non-boolean approval", { directory: "/tmp/p", approvedNewDirectoryCreation: "true" }, "approvedNewDirectoryCreation");
    refuses("an oversize token", { directory: "/tmp/p", token: s(4097) }, "token");
    refuses("a numeric environment variable", { directory: "/tmp/p", environmentVariables: { PORT: 3000 } }, "environmentVariables.PORT");
    refuses("environment variables as a list", { directory: "/tmp/p", environmentVariables: ["A=1"] }, "environmentVariables");
  }),

  ...cases("StopSessionParams", StopSessionParams, (accepts, refuses) => {
    accepts("a sessionId, dropping extra fields", { sessionId: "s1", force: true }, { sessionId: "s1" });
    refuses("a missing sessionId", {}, "sessionId");
    refuses("an empty sessionId", { sessionId: "" }, "sessionId");
    refuses("an oversize sessionId", { sessionId: s(201) }, "sessionId");
  }),

  ...cases("AgentKind", AgentKind, (accepts, refuses) => {
    for (const agent of ["claude", "codex", "cursor", "gemini", "opencode"]) accepts(agent, agent);
    refuses("a capitalised name", "Claude", "");
    refuses("an empty name", "", "");
  }),
];

describe("protocol schemas", () => {
  test.each(table.map((c) => [`${c.name} ${c.output === undefined ? "refuses" : "accepts"} ${c.title}`, c] as const))(
    "%s",
    (_, c) => {
      const result = c.schema.safeParse(c.input);
      if (c.output !== undefined) {
        expect(result.error?.issues).toBeUndefined();
        expect(result.data).toStrictEqual(c.output);
        return;
      }
      expect(result.success).toBe(false);
      expect(result.error?.issues.map((issue) => issue.path.join("."))).toContain(c.issue!);
    },
  );

  test("the limits are the documented bounds", () => {
    expect(LIMITS).toEqual({
      messageMax: 16 * 1024 * 1024,
      blobMax: 1024 * 1024,
      id: 200,
      tag: 500,
      localId: 200,
      method: 200,
      rpcParams: 4 * 1024 * 1024,
      dataEncryptionKey: 1024,
    });
  });

  test("every schema has cases that pass and cases that fail", () => {
    const names = new Set(table.map((c) => c.name));
    for (const name of names) {
      const own = table.filter((c) => c.name === name);
      expect({ name, accepts: own.some((c) => c.output !== undefined), refuses: own.some((c) => c.output === undefined) }).toEqual({
        name,
        accepts: true,
        refuses: true,
      });
    }
    expect(names.size).toBe(22);
  });
});
