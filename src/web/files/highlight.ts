import type { ElementContent, Root } from "hast";
import type { LanguageFn } from "highlight.js";

/**
 * Syntax highlighting for the file viewer and code blocks: lowlight (highlight.js
 * grammars, output as a tree, never HTML), loaded with each grammar as a chunk of its
 * own on first use, so the app's first load carries none of it.
 */

/** A run of text and the highlight.js classes it has ("" for plain text). */
export type Segment = { text: string; classes: string };
export type HighlightedLine = Segment[];

type Loader = () => Promise<{ default: LanguageFn }>;

// One import() per grammar, written out: the bundler makes each a chunk of its own.
const GRAMMARS: Record<string, Loader> = {
  bash: () => import("highlight.js/lib/languages/bash"),
  c: () => import("highlight.js/lib/languages/c"),
  cpp: () => import("highlight.js/lib/languages/cpp"),
  csharp: () => import("highlight.js/lib/languages/csharp"),
  css: () => import("highlight.js/lib/languages/css"),
  diff: () => import("highlight.js/lib/languages/diff"),
  dockerfile: () => import("highlight.js/lib/languages/dockerfile"),
  go: () => import("highlight.js/lib/languages/go"),
  ini: () => import("highlight.js/lib/languages/ini"),
  java: () => import("highlight.js/lib/languages/java"),
  javascript: () => import("highlight.js/lib/languages/javascript"),
  json: () => import("highlight.js/lib/languages/json"),
  kotlin: () => import("highlight.js/lib/languages/kotlin"),
  makefile: () => import("highlight.js/lib/languages/makefile"),
  markdown: () => import("highlight.js/lib/languages/markdown"),
  php: () => import("highlight.js/lib/languages/php"),
  python: () => import("highlight.js/lib/languages/python"),
  ruby: () => import("highlight.js/lib/languages/ruby"),
  rust: () => import("highlight.js/lib/languages/rust"),
  scss: () => import("highlight.js/lib/languages/scss"),
  sql: () => import("highlight.js/lib/languages/sql"),
  swift: () => import("highlight.js/lib/languages/swift"),
  typescript: () => import("highlight.js/lib/languages/typescript"),
  xml: () => import("highlight.js/lib/languages/xml"),
  yaml: () => import("highlight.js/lib/languages/yaml"),
};

const EXTENSIONS: Record<string, string> = {
  sh: "bash", bash: "bash", zsh: "bash",
  c: "c", h: "c",
  cc: "cpp", cpp: "cpp", cxx: "cpp", hpp: "cpp", hh: "cpp",
  cs: "csharp",
  css: "css", scss: "scss", sass: "scss",
  diff: "diff", patch: "diff",
  go: "go",
  ini: "ini", toml: "ini", cfg: "ini", conf: "ini",
  java: "java", kt: "kotlin", kts: "kotlin",
  js: "javascript", jsx: "javascript", mjs: "javascript", cjs: "javascript",
  json: "json", jsonc: "json", webmanifest: "json",
  md: "markdown", markdown: "markdown",
  php: "php", py: "python", pyi: "python", rb: "ruby", rs: "rust",
  sql: "sql", swift: "swift",
  ts: "typescript", tsx: "typescript", mts: "typescript", cts: "typescript",
  html: "xml", htm: "xml", xml: "xml", svg: "xml", vue: "xml",
  yml: "yaml", yaml: "yaml",
};
const FILE_NAMES: Record<string, string> = { dockerfile: "dockerfile", makefile: "makefile", gnumakefile: "makefile" };
/** Names code fences use besides the grammars' own. */
const FENCE_ALIASES: Record<string, string> = { shell: "bash", console: "bash", html: "xml", js: "javascript", ts: "typescript", py: "python", rs: "rust", yml: "yaml", jsonc: "json", toml: "ini" };

/** The grammar for a file, by its name; null: shown plain. */
export function languageOfFile(path: string): string | null {
  const name = (path.split("/").pop() ?? "").toLowerCase();
  if (FILE_NAMES[name]) return FILE_NAMES[name]!;
  const dot = name.lastIndexOf(".");
  return dot > 0 ? (EXTENSIONS[name.slice(dot + 1)] ?? null) : null;
}

/** The grammar a code fence names (```ts), or null. */
export function languageOfFence(fence: string | undefined): string | null {
  const name = (fence ?? "").trim().toLowerCase().split(/\s/)[0] ?? "";
  const language = FENCE_ALIASES[name] ?? name;
  return language in GRAMMARS ? language : (EXTENSIONS[language] ?? null);
}

type Lowlight = ReturnType<typeof import("lowlight").createLowlight>;
let engine: Promise<Lowlight> | null = null;
const registered = new Map<string, Promise<void>>();

async function ready(language: string): Promise<Lowlight> {
  engine ??= import("lowlight").then(({ createLowlight }) => createLowlight());
  const lowlight = await engine;
  let loading = registered.get(language);
  if (!loading) {
    loading = GRAMMARS[language]!().then(({ default: grammar }) => lowlight.register(language, grammar));
    // A chunk that failed to load (offline) is tried again next time.
    loading.catch(() => registered.delete(language));
    registered.set(language, loading);
  }
  await loading;
  return lowlight;
}

/** `text` as lines of highlighted segments; null when the language is unknown. */
export async function highlight(text: string, language: string | null): Promise<HighlightedLine[] | null> {
  if (!language || !GRAMMARS[language]) return null;
  const lowlight = await ready(language);
  return toLines(lowlight.highlight(language, text));
}

/** The tree flattened into runs with their classes, then cut at each newline. */
function toLines(root: Root): HighlightedLine[] {
  const lines: HighlightedLine[] = [[]];
  const walk = (nodes: ElementContent[], classes: string) => {
    for (const node of nodes) {
      if (node.type === "text") {
        const parts = node.value.split("\n");
        parts.forEach((part, i) => {
          if (i > 0) lines.push([]);
          if (part) lines.at(-1)!.push({ text: part, classes });
        });
      } else if (node.type === "element") {
        const own = Array.isArray(node.properties.className) ? node.properties.className.join(" ") : "";
        walk(node.children, [classes, own].filter(Boolean).join(" "));
      }
    }
  };
  walk(root.children as ElementContent[], "");
  return lines;
}
