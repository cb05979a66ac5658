import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { highlight, type HighlightedLine } from "../../files/highlight.ts";

/** Larger text is shown plain: highlighting it would hold up a phone for too long. */
const HIGHLIGHT_MAX_CHARS = 512 * 1024;

/** `text` highlighted as `language` once its grammar has loaded; plain lines until then (or when there is none). */
export function useHighlighted(text: string, language: string | null): HighlightedLine[] | null {
  const [lines, setLines] = useState<{ text: string; lines: HighlightedLine[] } | null>(null);
  useEffect(() => {
    if (!language || text.length > HIGHLIGHT_MAX_CHARS) return;
    let current = true;
    highlight(text, language)
      .then((found) => current && found && setLines({ text, lines: found }))
      // Offline, the grammar's chunk may not load: the text stays readable, plain.
      .catch(() => {});
    return () => void (current = false);
  }, [text, language]);
  return lines?.text === text ? lines.lines : null;
}

function Segments({ line }: { line: HighlightedLine }) {
  return <>{line.map((segment, i) => (segment.classes ? <span key={i} class={segment.classes}>{segment.text}</span> : segment.text))}</>;
}

/** Lines are drawn in blocks of this many, each kept once drawn: "show more" draws only the new ones. */
const BLOCK = 500;

/** The first `shown` lines of a text with their numbers, highlighted when a grammar is known. */
export function CodeLines(props: { text: string; language: string | null; shown: number; label: string }) {
  const plain = useMemo(() => props.text.split("\n"), [props.text]);
  const highlighted = useHighlighted(props.text, props.language);
  // The same vnode returned again is not diffed again by Preact.
  const blocks = useMemo(() => new Map<number, JSX.Element>(), [plain, highlighted]);
  const count = Math.min(props.shown, plain.length);
  const drawn = [];
  for (let start = 0; start < count; start += BLOCK) {
    const end = Math.min(start + BLOCK, count);
    const key = start * 1e7 + end;
    let block = blocks.get(key);
    if (!block) blocks.set(key, (block = <LineBlock key={start} plain={plain} highlighted={highlighted} start={start} end={end} />));
    drawn.push(block);
  }
  return (
    <pre class={`code-view hljs${highlighted ? " highlighted" : ""}`} aria-label={props.label} data-language={props.language ?? undefined}>
      {drawn}
    </pre>
  );
}

function LineBlock(props: { plain: string[]; highlighted: HighlightedLine[] | null; start: number; end: number }) {
  const rows = [];
  for (let i = props.start; i < props.end; i++) {
    const line = props.highlighted?.[i];
    rows.push(
      <div key={i} class="code-line">
        <span class="ln" aria-hidden="true">{i + 1}</span>
        <span class="code-text">{line ? <Segments line={line} /> : props.plain[i] || " "}</span>
      </div>,
    );
  }
  return <>{rows}</>;
}

/** A code block of a message: highlighted when its fence names a language, with a copy button. */
export function CodeBlock({ text, language }: { text: string; language: string | null }) {
  const highlighted = useHighlighted(text, language);
  const [copied, setCopied] = useState<"copied" | "failed" | null>(null);
  return (
    <div class="code-block-wrap">
      <button
        type="button"
        class="copy-button"
        aria-label="Copy code"
        onClick={() =>
          void copyText(text).then((ok) => {
            setCopied(ok ? "copied" : "failed");
            setTimeout(() => setCopied(null), 1500);
          })
        }
      >
        {copied === "copied" ? "Copied" : copied === "failed" ? "Copy failed" : "Copy"}
      </button>
      <pre class={`code-block hljs${highlighted ? " highlighted" : ""}`} data-lang={language ?? undefined}>
        <code>
          {highlighted
            ? highlighted.map((line, i) => (
                <span key={i}>
                  {i > 0 ? "\n" : null}
                  <Segments line={line} />
                </span>
              ))
            : text}
        </code>
      </pre>
    </div>
  );
}

/**
 * The Clipboard API where the page may use it (https, localhost); on a LAN address over
 * plain http it is not there, and the older copy command of a selected textarea still is.
 */
export async function copyText(text: string): Promise<boolean> {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Refused (no focus, no permission): try the old way.
    }
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.className = "offscreen";
  document.body.append(area);
  area.select();
  try {
    return document.execCommand("copy");
  } finally {
    area.remove();
  }
}
