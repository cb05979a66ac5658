import { z } from "zod";
import { LIMITS } from "./limits.ts";

/** Socket.IO handshake `auth` (PROTOCOL.md §2–3): the scope decides what a connection receives. */
export const SocketAuth = z
  .object({
    token: z.string().min(1).max(256),
    clientType: z.enum(["user-scoped", "session-scoped", "machine-scoped"]).default("user-scoped"),
    sessionId: z.string().min(1).max(LIMITS.id).optional(),
    machineId: z.string().min(1).max(LIMITS.id).optional(),
  })
  .refine((auth) => auth.clientType !== "session-scoped" || auth.sessionId !== undefined, {
    message: "a session-scoped connection needs sessionId",
    path: ["sessionId"],
  })
  .refine((auth) => auth.clientType !== "machine-scoped" || auth.machineId !== undefined, {
    message: "a machine-scoped connection needs machineId",
    path: ["machineId"],
  });
export type SocketAuth = z.infer<typeof SocketAuth>;
