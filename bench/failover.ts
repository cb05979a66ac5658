#!/usr/bin/env bun
/**
 * How fast our phone app leaves a dead address for the next (target < 2 s), in headless
 * Chromium against a daemon on 127.0.0.1 that is also advertised as 127.0.0.2 (nothing
 * listens: refused) and 127.0.0.3 (a forwarder the bench takes away):
 *   cold:   the QR's first address is dead; page opened → connected through the next;
 *   cut:    connected through the forwarder, which closes every connection (a reset);
 *   silent: the forwarder stops carrying anything without closing (Wi-Fi gone), and the
 *           browser says the network changed (`online`); without that event socket.io
 *           notices only at its ping timeout (25 s + 20 s).
 * Usage: bun bench/failover.ts [--runs 5]. Also run by bench/startup.ts.
 */
import { parseArgs } from "node:util";
import type { Page } from "playwright-core";
import { toBase64 } from "../src/crypto/encoding.ts";
import { forwarder } from "../test/helpers/forwarder.ts";
import { startDaemon } from "../test/helpers/p2p.ts";
import { browserMissing, openPhone } from "../test/web/browser.ts";

export type FailoverNumbers = { cold: number[]; cut: number[]; silent: number[] };

/** Resolves once the machine card says it is online through `address`. */
async function connectedVia(page: Page, address: string): Promise<void> {
  await page.waitForFunction(
    (want) => {
      const card = document.querySelector("article.machine");
      return Boolean(card?.textContent?.includes(want) && card.querySelector(".badge-online"));
    },
    address,
    { polling: 10, timeout: 30_000 },
  );
}

export async function measureFailover(runs: number): Promise<FailoverNumbers | string> {
  const missing = browserMissing();
  if (missing) return missing;
  await using daemon = await startDaemon({ REMCLI_ADVERTISE: "127.0.0.2,127.0.0.3" });
  const { port } = daemon;
  const key = toBase64(daemon.secret);
  const link = (host: string, alt: string[]) =>
    `${daemon.base}/terminal/connect#${encodeURIComponent(JSON.stringify({ mode: "p2p", host, port, key, v: 1, alt: alt.map((h) => `http://${h}:${port}`) }))}`;
  const numbers: FailoverNumbers = { cold: [], cut: [], silent: [] };

  for (let run = 0; run < runs; run++) {
    {
      await using phone = await openPhone();
      const started = performance.now();
      await phone.page.goto(link("127.0.0.2", ["127.0.0.1"]));
      await connectedVia(phone.page, `127.0.0.1:${port}`);
      numbers.cold.push(performance.now() - started);
    }
    for (const how of ["cut", "silent"] as const) {
      using relay = forwarder({ host: "127.0.0.3", port, target: { host: "127.0.0.1", port } });
      await using phone = await openPhone();
      await phone.page.goto(link("127.0.0.3", ["127.0.0.2", "127.0.0.1"]));
      await connectedVia(phone.page, `127.0.0.3:${port}`);
      const started = performance.now();
      if (how === "cut") relay.close();
      else {
        relay.freeze();
        await phone.page.evaluate(() => dispatchEvent(new Event("online")));
      }
      await connectedVia(phone.page, `127.0.0.1:${port}`);
      numbers[how].push(performance.now() - started);
    }
  }
  return numbers;
}

export const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? NaN;

/** The rows bench/startup.ts prints. */
export function failoverRows(numbers: FailoverNumbers): string[][] {
  const row = (what: string, samples: number[]) => [what, `${median(samples).toFixed(0)} ms (max ${Math.max(...samples).toFixed(0)})`, "< 2000 ms"];
  return [
    row("app failover: QR address dead, page load incl.", numbers.cold),
    row("app failover: address in use reset", numbers.cut),
    row("app failover: address in use silent + online", numbers.silent),
  ];
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
  const numbers = await measureFailover(Number(values.runs));
  if (typeof numbers === "string") {
    console.log(`failover benchmark skipped: ${numbers}`);
    process.exit(0);
  }
  console.log(`failover benchmark, ${values.runs} runs (Chromium, loopback)`);
  for (const [what, value, target] of failoverRows(numbers)) console.log(`${what!.padEnd(46)} ${value!.padStart(22)}   target ${target}`);
  const worst = Math.max(median(numbers.cold), median(numbers.cut), median(numbers.silent));
  process.exit(worst < 2000 ? 0 : 1);
}
