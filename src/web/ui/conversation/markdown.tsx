import { Lexer, type Token, type Tokens } from "marked";
import type { ComponentChildren, JSX } from "preact";
import { useMemo } from "preact/hooks";
import { languageOfFence } from "../../files/highlight.ts";
import { CodeBlock } from "../files/code-view.tsx";

/**
 * Assistant text as Markdown. marked only *parses* (GFM tokens); we build Preact
 * elements from the tokens ourselves and never use its HTML output, so nothing from a
 * message reaches innerHTML: raw HTML in a message shows as text, and only http(s)
 * and mailto links become links.
 */
export function Markdown({ text }: { text: string }) {
  const nodes = useMemo(() => blocks(Lexer.lex(text, { gfm: true })), [text]);
  return <div class="markdown">{nodes}</div>;
}

function blocks(tokens: Token[]): ComponentChildren {
  return tokens.map((token, index) => block(token, index));
}

function block(token: Token, key: number): JSX.Element | string | null {
  switch (token.type) {
    case "heading": {
      const t = token as Tokens.Heading;
      const Tag = `h${Math.min(6, t.depth + 2)}` as "h3";
      return <Tag key={key}>{inline(t.tokens)}</Tag>;
    }
    case "paragraph":
      return <p key={key}>{inline((token as Tokens.Paragraph).tokens)}</p>;
    case "text": {
      const t = token as Tokens.Text;
      return <span key={key}>{t.tokens ? inline(t.tokens) : t.text}</span>;
    }
    case "code": {
      const t = token as Tokens.Code;
      return <CodeBlock key={key} text={t.text} language={languageOfFence(t.lang)} />;
    }
    case "blockquote":
      return <blockquote key={key}>{blocks((token as Tokens.Blockquote).tokens)}</blockquote>;
    case "list": {
      const t = token as Tokens.List;
      const items = t.items.map((item, i) => (
        <li key={i} class={item.task ? "task" : undefined}>
          {item.task ? <input type="checkbox" checked={item.checked} disabled aria-label={item.checked ? "done" : "not done"} /> : null}
          {blocks(item.tokens.filter((child) => child.type !== "checkbox"))}
        </li>
      ));
      return t.ordered ? (
        <ol key={key} start={typeof t.start === "number" ? t.start : undefined}>
          {items}
        </ol>
      ) : (
        <ul key={key}>{items}</ul>
      );
    }
    case "table": {
      const t = token as Tokens.Table;
      return (
        <div key={key} class="table-scroll">
          <table>
            <thead>
              <tr>{t.header.map((cell, i) => <th key={i}>{inline(cell.tokens)}</th>)}</tr>
            </thead>
            <tbody>
              {t.rows.map((row, r) => (
                <tr key={r}>{row.map((cell, i) => <td key={i}>{inline(cell.tokens)}</td>)}</tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    }
    case "hr":
      return <hr key={key} />;
    case "html":
      return <p key={key} class="raw-html">{(token as Tokens.HTML).text}</p>;
    case "space":
    case "def":
      return null;
    default:
      return "raw" in token ? <p key={key}>{String(token.raw)}</p> : null;
  }
}

function inline(tokens: Token[] | undefined): ComponentChildren {
  return (tokens ?? []).map((token, key) => {
    switch (token.type) {
      case "text": {
        const t = token as Tokens.Text;
        return t.tokens ? <span key={key}>{inline(t.tokens)}</span> : t.text;
      }
      case "escape":
      case "html":
        return (token as Tokens.Escape).text;
      case "strong":
        return <strong key={key}>{inline((token as Tokens.Strong).tokens)}</strong>;
      case "em":
        return <em key={key}>{inline((token as Tokens.Em).tokens)}</em>;
      case "del":
        return <del key={key}>{inline((token as Tokens.Del).tokens)}</del>;
      case "codespan":
        return <code key={key}>{(token as Tokens.Codespan).text}</code>;
      case "br":
        return <br key={key} />;
      case "link": {
        const t = token as Tokens.Link;
        const href = safeHref(t.href);
        if (!href) return <span key={key}>{inline(t.tokens)}</span>;
        return (
          <a key={key} href={href} target="_blank" rel="noopener noreferrer">
            {inline(t.tokens)}
          </a>
        );
      }
      case "image": {
        // Images are not loaded (no requests to places the message names): show the alt text.
        const t = token as Tokens.Image;
        return <span key={key} class="image-alt">[image: {t.text || t.href}]</span>;
      }
      default:
        return "raw" in token ? String(token.raw) : null;
    }
  });
}

function safeHref(href: string): string | null {
  try {
    const url = new URL(href, "https://invalid.example/");
    if (url.origin === "https://invalid.example") return null; // relative: it would point at the daemon
    return ["http:", "https:", "mailto:"].includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}
