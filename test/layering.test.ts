import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/**
 * Imports point down: cli → daemon/agent/doctor/update → p2p/sessions → store →
 * protocol/crypto/shared, and the phone app (web) stands apart on protocol and crypto.
 * Each rule forbids the edges `from` → `to` (a folder of src/, a file in it, or an
 * external module prefix such as "node:"), except to the places in `unless` and from the
 * places in `exempt`; a folder may always import itself. Modelled on tailscale's tstest/deptest.
 */
type Rule = { from: string[]; to: string[]; unless?: string[]; exempt?: string[]; reason: string };

/** Every top-level place of src/, top to bottom. A new folder must get its place here. */
const PLACES = ["main.ts", "cli", "daemon", "agent", "doctor", "update", "service", "p2p", "sessions", "notify", "store", "protocol", "crypto", "shared", "web", "types"];
const ours = (...except: string[]) => PLACES.filter((place) => !except.includes(place));
const PROGRAMS = ["daemon", "agent", "doctor", "update"];
const BROWSER_UNSAFE = ["node:", "bun:", "bun"];

const RULES: Rule[] = [
  {
    from: ours("main.ts", "cli"),
    to: ["cli"],
    reason: "cli is the top: main.ts builds the program from it, and nothing below calls a command or takes its context",
  },
  {
    from: ["p2p", "sessions", "notify", "store", "protocol", "crypto", "shared", "web"],
    to: PROGRAMS,
    reason: "the daemon, a session, doctor and update are programs assembled from the layers below; a layer that imports one back makes a cycle of layers (what several need, like selfCommand, belongs in shared/)",
  },
  {
    from: ["store", "protocol", "crypto", "shared"],
    to: ["p2p", "sessions", "notify"],
    reason: "the store keeps state and the leaves describe it; neither knows who serves it to the phone or spawns the sessions",
  },
  {
    from: ["protocol", "crypto", "shared"],
    to: ["store"],
    reason: "wire shapes and helpers are leaves: the phone app imports protocol and crypto and must not pull in bun:sqlite",
  },
  {
    from: ["p2p"],
    to: ["sessions"],
    reason: "the phone's server and the session tracker meet only in the daemon, which wires one to the other with callbacks",
  },
  {
    from: ["sessions"],
    to: ["p2p"],
    reason: "the session tracker and the phone's server meet only in the daemon, which wires one to the other with callbacks",
  },
  {
    from: ["notify"],
    to: ["p2p", "sessions"],
    unless: ["p2p/refusal-summary.ts"],
    reason: "notifications hear of sessions through the daemon, which calls the notifier; only the rate-limited log summary is shared",
  },
  {
    from: ["p2p", "sessions"],
    to: ["notify"],
    reason: "the phone's server and the session tracker know nothing of notifications: the daemon wires their events to the notifier",
  },
  {
    from: ["daemon"],
    to: ["agent", "doctor"],
    reason: "the daemon runs sessions as separate processes and talks to them over the wire; doctor looks at the daemon from outside",
  },
  {
    from: ["agent"],
    to: ["daemon", "doctor", "update", "notify"],
    unless: ["daemon/control/client.ts"],
    reason: "a session process is a client of its daemon: it may use the control client, never the daemon's own code, which would load the daemon into every session",
  },
  {
    from: ["update"],
    to: ["daemon", "agent", "doctor"],
    reason: "update replaces the binary for the CLI and the daemon: it is given what it needs and does not reach into them",
  },
  {
    from: ["service"],
    to: ours("service", "shared"),
    reason: "service writes the login service's file and calls its manager (systemctl, launchctl); it knows nothing of the daemon it runs, which knows only its exit codes",
  },
  {
    from: ["p2p", "sessions", "notify", "store", "protocol", "crypto", "shared", "web"],
    to: ["service"],
    reason: "only the CLI installs the service and only the daemon's lifecycle answers to it",
  },
  {
    from: ["doctor"],
    to: ["agent", "update"],
    reason: "doctor reads the process table and the daemon's records; it runs no session and installs nothing",
  },
  {
    from: ["protocol"],
    to: ours("protocol"),
    unless: ["shared/errors.ts"],
    reason: "protocol is every wire's schema, zod and nothing of ours but the error body every envelope carries, so the daemon, a session and the phone app can each import it alone",
  },
  {
    from: ["crypto"],
    to: ours("crypto"),
    reason: "crypto is PROTOCOL.md §7 in pure JS, run by the daemon, a session and the browser alike: it stands alone",
  },
  {
    from: ["shared"],
    to: ours("shared"),
    reason: "shared is cross-cutting: everything may import it, so it imports nothing of ours",
  },
  {
    from: ["web"],
    to: ours("web", "protocol", "crypto"),
    reason: "the phone app runs in a browser: any other code of ours is daemon code (SQLite, files, secrets) that must not end up in its bundle",
  },
  {
    from: ours("web"),
    to: ["web"],
    reason: "src/web is the browser's source: p2p/web-bundle.ts bundles it by path and the daemon serves the files; importing it would run browser code in Bun",
  },
  {
    from: ["web", "protocol", "crypto"],
    to: BROWSER_UNSAFE,
    exempt: ["crypto/native.ts"],
    reason: "the browser runs these, and it has no Node or Bun modules",
  },
  {
    from: ["web"],
    to: ["crypto/native.ts"],
    reason: "crypto/native.ts is the runtime's native AES-GCM and SHA-256 for the daemon and sessions (~100× the pure-JS speed); the browser keeps the pure-JS cipher",
  },
];

type Edge = { from: string; to: string };
type Violation = Edge & { reason: string };

const SRC = resolve(import.meta.dir, "..", "src");

/** `place` holds `target`: a folder holds its files, a file itself, "node:" every node: module. */
function holds(place: string, target: string): boolean {
  if (place.endsWith(":")) return target.startsWith(place);
  return target === place || target.startsWith(`${place}/`);
}

const topOf = (path: string) => path.split("/")[0]!;

/** The edges that break a rule, each with that rule's reason. */
function violations(edges: Edge[], rules: Rule[] = RULES): Violation[] {
  const found: Violation[] = [];
  for (const edge of edges) {
    if (topOf(edge.from) === topOf(edge.to)) continue;
    const broken = rules.find(
      (rule) =>
        rule.from.some((place) => holds(place, edge.from)) &&
        rule.to.some((place) => holds(place, edge.to)) &&
        !rule.unless?.some((place) => holds(place, edge.to)) &&
        !rule.exempt?.some((place) => holds(place, edge.from)),
    );
    if (broken) found.push({ ...edge, reason: broken.reason });
  }
  return found;
}

/** Static, type-only and re-exporting imports, side-effect imports and dynamic import(). */
const IMPORT = /\b(?:import|export)\s+(?:type\s+)?[\w*{}\s,$]*?\bfrom\s*["']([^"']+)["']|\bimport\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)/g;

/** What `file` (a path below src/) imports: other files as paths below src/, the rest as written. */
function importsOf(file: string, text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const specifier = (match[1] ?? match[2] ?? match[3])!;
    if (!specifier.startsWith(".")) {
      found.push(specifier);
      continue;
    }
    const target = relative(SRC, resolve(SRC, dirname(file), specifier));
    // Outside src/ (package.json for the version): not part of the layering.
    if (!target.startsWith("..")) found.push(target);
  }
  return found;
}

/** The cycles among files: each strongly connected group of two or more files (Tarjan). */
function cycles(edges: Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const to of next.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    if (group.length > 1) groups.push(group.sort());
  };
  for (const node of next.keys()) if (!index.has(node)) visit(node);
  return groups;
}

function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) ? [relative(SRC, path)] : [];
  });
}

function edgesOfSrc(): Edge[] {
  return sourceFiles().flatMap((from) => importsOf(from, readFileSync(join(SRC, from), "utf8")).map((to) => ({ from, to })));
}

const describeViolations = (found: Violation[]) => found.map((v) => `${v.from} → ${v.to}\n    forbidden: ${v.reason}`).join("\n");

describe("layering", () => {
  const edges = edgesOfSrc();

  test("every file of src/ is in a place the rules know", () => {
    const unplaced = [...new Set(sourceFiles().map(topOf))].filter((top) => !PLACES.includes(top));
    expect(unplaced).toEqual([]);
  });

  test("no import in src/ crosses a forbidden edge", () => {
    const found = violations(edges);
    if (found.length > 0) throw new Error(`imports that run against the layering:\n${describeViolations(found)}`);
    // The reader saw the tree: a broken regex must not pass as "no violations".
    expect(edges.length).toBeGreaterThan(300);
  });

  test("no file imports itself back through a cycle", () => {
    const local = edges.filter((edge) => PLACES.includes(topOf(edge.to)) && /\.tsx?$/.test(edge.to));
    expect(cycles(local)).toEqual([]);
  });

  test("the rules catch an edge back up and name its reason", () => {
    const fake: Edge[] = [
      { from: "sessions/tracker.ts", to: "daemon/self-command.ts" },
      { from: "doctor/report.ts", to: "cli/context.ts" },
      { from: "web/ui/app.tsx", to: "store/db.ts" },
      { from: "web/sync/link.ts", to: "node:fs" },
      { from: "protocol/control.ts", to: "shared/log.ts" },
      { from: "agent/session-process.ts", to: "daemon/lifecycle.ts" },
      { from: "p2p/web-assets.ts", to: "web/bundle.ts" },
      // Allowed: down the layers, a folder into itself, and the named exceptions.
      { from: "cli/daemon.ts", to: "daemon/launch.ts" },
      { from: "web/ui/app.tsx", to: "web/sync/link.ts" },
      { from: "web/sync/keyring.ts", to: "crypto/p2p-token.ts" },
      { from: "protocol/control.ts", to: "shared/errors.ts" },
      { from: "agent/daemon-registration.ts", to: "daemon/control/client.ts" },
      { from: "store/children.ts", to: "protocol/control.ts" },
      { from: "main.ts", to: "cli/program.ts" },
    ];
    const found = violations(fake);
    expect(found.map(({ from, to }) => `${from} → ${to}`)).toEqual([
      "sessions/tracker.ts → daemon/self-command.ts",
      "doctor/report.ts → cli/context.ts",
      "web/ui/app.tsx → store/db.ts",
      "web/sync/link.ts → node:fs",
      "protocol/control.ts → shared/log.ts",
      "agent/session-process.ts → daemon/lifecycle.ts",
      "p2p/web-assets.ts → web/bundle.ts",
    ]);
    expect(describeViolations(found.slice(1, 2))).toBe(
      `doctor/report.ts → cli/context.ts\n    forbidden: ${RULES[0]!.reason}`,
    );
  });

  test("the cycle finder finds the cycle the REST routes had with their app", () => {
    expect(
      cycles([
        { from: "p2p/rest-app.ts", to: "p2p/routes/sessions.ts" },
        { from: "p2p/routes/sessions.ts", to: "p2p/rest-app.ts" },
        { from: "p2p/rest-app.ts", to: "p2p/routes/input.ts" },
        { from: "p2p/routes/sessions.ts", to: "p2p/routes/input.ts" },
      ]),
    ).toEqual([["p2p/rest-app.ts", "p2p/routes/sessions.ts"]]);
  });

  test("the import reader sees every form of import", () => {
    const source = [
      'import { a } from "../shared/a.ts";',
      'import type { B } from "./b.ts";',
      "import {\n  c,\n  type D,\n} from '../store/c.ts';",
      'export { e } from "../protocol/e.ts";',
      'export * from "./f.ts";',
      'import "./styles.css";',
      'const g = await import("../agent/g.ts");',
      'import { z } from "zod";',
      'import { readFileSync } from "node:fs";',
      'const text = "this is not an import from \\"x\\"";',
      'import pkg from "../../package.json" with { type: "json" };',
    ].join("\n");
    expect(importsOf("cli/x.ts", source)).toEqual([
      "shared/a.ts",
      "cli/b.ts",
      "store/c.ts",
      "protocol/e.ts",
      "cli/f.ts",
      "cli/styles.css",
      "agent/g.ts",
      "zod",
      "node:fs",
    ]);
  });
});
