import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHECKED, MCP_IMPORTS } from "../build/lean-session.ts";
import { assistantText, eventOf, fakeClaude, spawnFromPhone } from "./helpers/agent.ts";
import { startDaemon } from "./helpers/p2p.ts";

const ROOT = join(import.meta.dir, "..");
const modules = join(ROOT, "node_modules");
const out = mkdtempSync(join(tmpdir(), "remcli-build-lean-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("the compiled binary leaves out what a session never runs", () => {
  test("the packages it trims are the versions the trimming was checked against", () => {
    for (const [name, version] of Object.entries(CHECKED)) {
      const installed = JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8")).version;
      expect({ name, version: installed }).toEqual({ name, version });
    }
  });

  test("the Agent SDK's core takes from the MCP SDK only what the stub stands in for", () => {
    const core = readFileSync(join(modules, "@anthropic-ai/claude-agent-sdk/core.mjs"), "utf8");
    const imports: Record<string, string[]> = {};
    for (const [, names, from] of core.matchAll(/import\{([^}]*)\}from"(@modelcontextprotocol\/[^"]+)"/g)) {
      imports[from!] = names!.split(",").map((name) => name.trim().split(/\s+as\s+/)[0]!);
    }
    expect(imports).toEqual(MCP_IMPORTS);
    // Only the in-process MCP server helpers use them; a query never does.
    expect(core.match(/new [A-Za-z_$]+\(\{name:e\.name,version:e\.version\?\?"1\.0\.0"\}/g)?.length).toBe(1);
  });

  test("a binary built so runs a Claude Code session through a turn", async () => {
    const built = Bun.spawnSync([process.execPath, join(ROOT, "build.ts"), "--outdir", out], { stdout: "pipe", stderr: "pipe" });
    expect(built.exitCode, built.stderr.toString()).toBe(0);
    using claude = fakeClaude();
    await using daemon = await startDaemon(claude.env, { binary: join(out, "remcli") });
    const { session } = await spawnFromPhone(daemon, "lean");
    const sent = await session.send("hello");
    await session.waitFor("the answer", (m) => assistantText(m) === "echo: hello", sent);
    await session.waitFor("the ready event", (m) => eventOf(m)?.type === "ready", sent);
  }, 60_000);
});
