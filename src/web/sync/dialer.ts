import { candidateOrder, healthProbe, pickEndpoint, rememberEndpoint, rememberedEndpoint } from "./endpoints.ts";

/** Between dials while nothing answers: the first at once, then doubling up to the cap. */
const REDIAL_MS = 300;
const REDIAL_MAX_MS = 2_000;
/** After a wake-up, how long the address in use may take to answer `/health` before it is left. */
const LIVENESS_MS = 1_000;

/**
 * When and where a link (re)connects: it picks the address that answers (endpoints.ts),
 * hands it to `open`, and after a loss dials again — at once, then with a backoff — over
 * every address, so one that stops answering is left for the next.
 */
export function createDialer(deps: {
  pairingId: string;
  endpoints: readonly string[];
  /** False while the link must not dial: it has a socket, or its pairing is dead. */
  mayDial(): boolean;
  /** Opens the connection at the endpoint that answered. */
  open(endpoint: string): void;
  /** No address answered; another dial is scheduled. */
  unreachable(reason: string): void;
}) {
  let stopped = false;
  let dialing = false;
  let redials = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  let first = true;

  const dial = async () => {
    if (stopped || dialing || !deps.mayDial()) return;
    const order = candidateOrder(deps.endpoints, rememberedEndpoint(deps.pairingId), location.origin);
    // The page just came from its own address: the first time, go there at once (the
    // handshake is the probe), so no live event is missed while a probe runs.
    if (first && order[0] === location.origin) {
      first = false;
      return deps.open(order[0]);
    }
    first = false;
    dialing = true;
    const picked = await pickEndpoint(order);
    dialing = false;
    if (stopped || !deps.mayDial()) return;
    if (!picked) {
      deps.unreachable(deps.endpoints.length > 1 ? `none of the daemon's ${deps.endpoints.length} addresses answers` : "the daemon does not answer");
      return schedule();
    }
    deps.open(picked);
  };

  /** Tries every address again, soon: the first time at once, so a dead address is left quickly. */
  const schedule = () => {
    if (stopped || timer !== undefined) return;
    const delay = redials === 0 ? 0 : Math.min(REDIAL_MS * 2 ** (redials - 1), REDIAL_MAX_MS);
    redials++;
    timer = setTimeout(() => {
      timer = undefined;
      void dial();
    }, delay);
  };

  return {
    dial,
    /** After a loss. */
    schedule,
    /** Connected at `endpoint`: remembered for this network, and the backoff starts over. */
    connected(endpoint: string) {
      redials = 0;
      rememberEndpoint(deps.pairingId, endpoint);
    },
    /** Now, not after the backoff (a wake-up); the caller has dropped any socket. */
    now() {
      clearTimeout(timer);
      timer = undefined;
      redials = 0;
      void dial();
    },
    /** Whether the address in use still answers, asked briefly. */
    stillAnswers: (endpoint: string) => healthProbe(endpoint, AbortSignal.timeout(LIVENESS_MS)),
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
