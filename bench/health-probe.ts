/**
 * Worker thread of bench/abuse.ts: GETs `/health` one after another, 5 ms apart, from its
 * own event loop, so a busy flood in the main thread does not delay the measurement.
 * Messages in: { start: url } and { stop: true }; out: the latencies in ms.
 */
declare const self: Worker;
export {};

let running = false;

self.onmessage = async (event: MessageEvent<{ start?: string; stop?: boolean }>) => {
  if (event.data.stop) {
    running = false;
    return;
  }
  const url = event.data.start;
  if (!url || running) return;
  running = true;
  const samples: number[] = [];
  while (running) {
    const at = performance.now();
    try {
      await (await fetch(url, { signal: AbortSignal.timeout(10_000) })).arrayBuffer();
      samples.push(performance.now() - at);
    } catch {
      samples.push(10_000); // no answer within 10 s counts as 10 s
    }
    await Bun.sleep(5);
  }
  self.postMessage(samples);
};
