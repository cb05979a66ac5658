/**
 * Which of a pairing's endpoints this phone uses (remcli extension, docs/protocol-extensions.md
 * "Every way in"): the one that answered last on this kind of network first, then the
 * pairing's order; each is probed with `/health`, a little after the one before
 * (Happy Eyeballs, RFC 8305), and the first that answers as a remcli daemon wins.
 */

/** How long a probe waits before the next one starts beside it. */
export const STAGGER_MS = 250;
/** How long one probe may take: a dead address that drops packets costs this, at most. */
export const ATTEMPT_MS = 1_500;

const memoryKey = (pairingId: string) => `remcli.reach.v1.${pairingId}`;

/**
 * The network this phone is on, as far as a page can tell: the Network Information API's
 * `type` (wifi, cellular, ethernet…) where the browser has it, else one network for all.
 */
export function networkKey(): string {
  const type = (navigator as Navigator & { connection?: { type?: unknown } }).connection?.type;
  return typeof type === "string" && type !== "" && type !== "unknown" ? type : "any";
}

function memory(pairingId: string): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(memoryKey(pairingId)) ?? "{}");
    if (!parsed || typeof parsed !== "object") return {};
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
  } catch {
    return {};
  }
}

/** The endpoint that answered last on this network, if any. */
export function rememberedEndpoint(pairingId: string): string | null {
  return memory(pairingId)[networkKey()] ?? null;
}

export function rememberEndpoint(pairingId: string, endpoint: string): void {
  try {
    localStorage.setItem(memoryKey(pairingId), JSON.stringify({ ...memory(pairingId), [networkKey()]: endpoint }));
  } catch {
    // Storage full: it threw inside the socket's connect handler; the next dial just tries the pairing's order.
  }
}

export function forgetEndpoints(pairingId: string): void {
  localStorage.removeItem(memoryKey(pairingId));
}

/**
 * The order to try: remembered first, then as the pairing lists them. A page on https
 * cannot reach plain http (mixed content), nor any page an IPv6 literal other than its
 * own origin (CSP), so those are left out.
 */
export function candidateOrder(endpoints: readonly string[], remembered: string | null, pageOrigin: string): string[] {
  const secure = pageOrigin.startsWith("https:");
  const reachable = (endpoint: string) =>
    endpoint === pageOrigin ||
    // The daemon's CSP cannot name an IPv6 literal (no such host-source), so only the page's own.
    (!endpoint.includes("[") && (!secure || endpoint.startsWith("https:")));
  const usable = endpoints.filter(reachable);
  const first = remembered && usable.includes(remembered) ? [remembered] : [];
  return [...new Set([...first, ...usable])];
}

export type Probe = (endpoint: string, signal: AbortSignal) => Promise<boolean>;

/** `/health` answers `{ status: "ok", mode: "p2p" }`: a remcli daemon that accepts this page's origin. */
export const healthProbe: Probe = async (endpoint, signal) => {
  try {
    const response = await fetch(`${endpoint}/health`, { cache: "no-store", signal });
    const body: unknown = await response.json();
    return response.ok && typeof body === "object" && body !== null && (body as { status?: unknown }).status === "ok";
  } catch {
    return false;
  }
};

/**
 * The first of `candidates` to answer: each starts `staggerMs` after the previous, or at once
 * when every earlier one has failed; null when none answered within `attemptMs` each.
 */
export function pickEndpoint(
  candidates: readonly string[],
  { probe = healthProbe, staggerMs = STAGGER_MS, attemptMs = ATTEMPT_MS }: { probe?: Probe; staggerMs?: number; attemptMs?: number } = {},
): Promise<string | null> {
  return new Promise((resolve) => {
    const controllers: AbortController[] = [];
    const timers: Array<ReturnType<typeof setTimeout>> = [];
    let next = 0;
    let running = 0;
    let settled = false;
    const finish = (endpoint: string | null) => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      for (const controller of controllers) controller.abort();
      resolve(endpoint);
    };
    const launch = () => {
      if (settled) return;
      if (next >= candidates.length) {
        if (running === 0) finish(null);
        return;
      }
      const endpoint = candidates[next++]!;
      const controller = new AbortController();
      controllers.push(controller);
      running++;
      const deadline = setTimeout(() => controller.abort(), attemptMs);
      timers.push(deadline, setTimeout(launch, staggerMs));
      void probe(endpoint, controller.signal).then((answered) => {
        clearTimeout(deadline);
        running--;
        if (answered) finish(endpoint);
        else launch();
      });
    };
    launch();
  });
}
