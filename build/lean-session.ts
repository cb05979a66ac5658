/**
 * What the compiled binary leaves out of the bundle, so a session process (one per agent,
 * alive for hours) does not carry code it never runs. Each entry names the package
 * version it was checked against; `test/build-lean.test.ts` fails when the packages move
 * on, and builds a binary that runs a Claude session through a turn.
 *
 * - The Agent SDK's `/core` entry imports the MCP SDK at its top only for
 *   `createSdkMcpServer()` / `tool()` (in-process MCP servers), which remcli never
 *   calls; loading it (with its zod-compat and JSON-schema layers) cost a session about
 *   16 MB. The stub fails loudly should anything construct it.
 * - socket.io-client, engine.io-client and socket.io-parser resolve, under Bun's `node`
 *   condition, to their `esm-debug` builds, whose `debug` package pulls in `tty` and `util` (about
 *   7 MB in each session). Their `build/esm` files are the same code without the debug
 *   calls (the `default` condition of their own package.json exports).
 */
import { join } from "node:path";

export const CHECKED = {
  "@anthropic-ai/claude-agent-sdk": "0.3.332",
  "socket.io-client": "4.8.4",
  "engine.io-client": "6.6.8",
  "socket.io-parser": "4.2.7",
} as const;

/** The MCP SDK modules the Agent SDK's `/core` imports, with the names it takes from each. */
export const MCP_IMPORTS: Record<string, string[]> = {
  "@modelcontextprotocol/sdk/server/mcp.js": ["McpServer"],
  "@modelcontextprotocol/sdk/server/zod-compat.js": ["normalizeObjectSchema"],
  "@modelcontextprotocol/sdk/server/zod-json-schema-compat.js": ["toJsonSchemaCompat"],
};

const STUB_NAMESPACE = "remcli-left-out";
const LEFT_OUT = "remcli is built without the MCP SDK: the Agent SDK's in-process MCP servers are not available";

function stubSource(names: string[]): string {
  const fail = `() => { throw new Error(${JSON.stringify(LEFT_OUT)}); }`;
  return names.map((name) => (name[0] === name[0]!.toUpperCase() ? `export class ${name} { constructor() { (${fail})(); } }` : `export const ${name} = ${fail};`)).join("\n");
}

export function leanSessionPlugin(root: string): Bun.BunPlugin {
  const modules = join(root, "node_modules");
  return {
    name: "remcli-lean-session",
    setup(build) {
      const mcp = new RegExp(`^(${Object.keys(MCP_IMPORTS).map((path) => path.replace(/[./]/g, "\\$&")).join("|")})$`);
      build.onResolve({ filter: mcp }, (args) =>
        args.importer.includes("claude-agent-sdk") ? { path: args.path, namespace: STUB_NAMESPACE } : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: STUB_NAMESPACE }, (args) => ({ contents: stubSource(MCP_IMPORTS[args.path]!), loader: "js" }));
      // Inside those builds, relative imports stay inside `build/esm` by themselves.
      // The parser only where the client takes it: the daemon's server requires its own way.
      build.onResolve({ filter: /^(socket\.io-client|engine\.io-client|socket\.io-parser)$/ }, (args) =>
        args.path !== "socket.io-parser" || args.importer.includes("socket.io-client") ? { path: join(modules, args.path, "build", "esm", "index.js") } : undefined,
      );
    },
  };
}
