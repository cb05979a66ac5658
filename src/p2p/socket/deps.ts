import type { Log } from "../../shared/log.ts";
import type { Store } from "../../store/store.ts";
import type { TokenCheck } from "../auth.ts";
import type { CipherCache } from "../cipher-cache.ts";
import type { OwnerCheck } from "../owner-check.ts";
import type { P2pLimits } from "../limits.ts";
import type { MessageBatcher } from "../message-batcher.ts";
import type { Presence } from "../presence.ts";
import type { Writes } from "../writes.ts";
import type { RpcGate } from "./rpc-gate.ts";
import type { RpcRegistry } from "./rpc-registry.ts";
import type { Publisher } from "./routing.ts";

/** What every socket handler area receives. */
export type SocketDeps = {
  store: Store;
  log: Log;
  tokens: TokenCheck;
  owners: OwnerCheck;
  writes: Writes;
  batcher: MessageBatcher;
  publisher: Publisher;
  presence: Presence;
  rpc: RpcRegistry;
  gate: RpcGate;
  ciphers: CipherCache;
  limits: P2pLimits;
};
