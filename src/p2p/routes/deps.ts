import type { Log } from "../../shared/log.ts";
import type { Store } from "../../store/store.ts";
import type { TokenCheck } from "../auth.ts";
import type { P2pLimits } from "../limits.ts";
import type { Writes } from "../writes.ts";

/** What the REST routes are given: the app passes it down, a route never imports the app. */
export type RestDeps = {
  store: Store;
  log: Log;
  tokens: TokenCheck;
  writes: Writes;
  limits: P2pLimits;
  /** Every origin of this daemon: the app's page may connect to each (its CSP lists them). */
  ownOrigins: () => Set<string>;
};
