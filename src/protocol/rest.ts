import { z } from "zod";
import { LIMITS } from "./limits.ts";
import { ListCursor } from "./paging.ts";

// REST request bodies and queries (PROTOCOL.md §6).

const Blob = z.string().max(LIMITS.blobMax);
const DataKey = z.string().max(LIMITS.dataEncryptionKey);

export const CreateSessionBody = z.object({
  tag: z.string().min(1).max(LIMITS.tag),
  metadata: Blob,
  agentState: Blob.nullish(),
  dataEncryptionKey: DataKey.nullish(),
});

export const CreateMachineBody = z.object({
  id: z.string().min(1).max(LIMITS.id),
  metadata: Blob,
  daemonState: Blob.nullish(),
  dataEncryptionKey: DataKey.nullish(),
});

const Seq = z.coerce.number().int().min(0);

export const MessagesQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(150),
    before: Seq.optional(),
    after: Seq.optional(),
  })
  .refine((q) => q.before === undefined || q.after === undefined, "use either before or after, not both");

/** **(remcli extension)** `cursor`: the `nextCursor` of the previous page (protocol/paging.ts). */
const Cursor = ListCursor.optional();

export const ActiveSessionsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(150),
  cursor: Cursor,
});

/** `GET /v1/sessions`: the reference takes no query; pages hold up to 150 sessions. */
export const SessionsQuery = z.object({ cursor: Cursor });

/** `GET /v1/machines`: the reference takes no query. */
export const MachinesQuery = z.object({ cursor: Cursor });

export const SessionsPageQuery = z.object({
  cursor: z.string().max(300).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  changedSince: z.coerce.number().int().min(0).optional(),
});
