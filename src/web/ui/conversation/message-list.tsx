import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Conversation } from "../../sync/conversation.ts";
import type { Outgoing } from "../../sync/outbox.ts";
import { money } from "../parts/time.ts";
import { toItems, type Item, type ToolResult } from "./items.ts";
import { Markdown } from "./markdown.tsx";
import { ToolCall } from "./tool-call.tsx";
import type { ImageAttachment } from "../../../protocol/plaintext.ts";
import { imageUrl } from "../../attachments/shrink-image.ts";
import "./composer-extras.css";
import { WorkingIndicator } from "./working-indicator.tsx";

/** Pixels from the bottom within which the list keeps following new messages. */
const FOLLOW_SLACK = 80;

/**
 * The conversation: only the pages loaded so far are rendered (the latest first; older
 * ones when the user scrolls to the top), so a 10,000-message session opens as fast as
 * a short one. Scrolling stays where the user put it when older pages arrive.
 */
export function MessageList(props: {
  conversation: Conversation;
  /** Tool calls whose permission the phone denied (agent state `completedRequests`), for any agent. */
  denied?: ReadonlySet<string>;
  pending: readonly Outgoing[];
  thinking: boolean;
  /** While the agent works: since when (this phone's clock). */
  workingSince?: number | null;
  retry: (localId: string) => void;
  discard: (localId: string) => void;
  onFirstPaint?: () => void;
}) {
  const { conversation } = props;
  const { state } = conversation;
  const messages = state.messages;
  const { items, results } = useMemo(() => toItems(messages), [messages]);
  const scroller = useRef<HTMLDivElement>(null);
  const sentinel = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  // Rendered state, unlike `following`: the jump button shows while the user reads above.
  const [away, setAway] = useState(false);
  /** The newest seq when the user scrolled away: what came after it is "new". */
  const seenUpTo = useRef(0);
  const anchor = useRef<{ height: number; top: number; firstSeq: number } | null>(null);
  const painted = useRef(false);

  const firstSeq = messages[0]?.seq ?? 0;
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const held = anchor.current;
    if (held && held.firstSeq !== firstSeq) {
      // Older messages were put above: keep the same message under the user's thumb.
      el.scrollTop = held.top + (el.scrollHeight - held.height);
      anchor.current = null;
    } else if (following.current) {
      el.scrollTop = el.scrollHeight;
    }
    if (state.loaded && !painted.current) {
      painted.current = true;
      props.onFirstPaint?.();
    }
  });

  const loadOlder = () => {
    const el = scroller.current;
    if (!el || !state.hasOlder || state.loadingOlder) return;
    anchor.current = { height: el.scrollHeight, top: el.scrollTop, firstSeq };
    void conversation.loadOlder();
  };

  useEffect(() => {
    const el = sentinel.current;
    if (!el || !state.hasOlder) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && painted.current) loadOlder();
    }, { root: scroller.current, rootMargin: "200px 0px 0px 0px" });
    observer.observe(el);
    return () => observer.disconnect();
  });

  return (
    <div
      class="messages"
      ref={scroller}
      role="log"
      aria-label="Conversation"
      aria-live="polite"
      onScroll={(e) => {
        const el = e.currentTarget;
        following.current = el.scrollHeight - el.scrollTop - el.clientHeight < FOLLOW_SLACK;
        if (away !== following.current) return;
        seenUpTo.current = messages.at(-1)?.seq ?? 0;
        setAway(!following.current);
      }}
    >
      {state.hasOlder ? (
        <div ref={sentinel} class="older">
          <button type="button" onClick={loadOlder} disabled={state.loadingOlder}>
            {state.loadingOlder ? "Loading earlier messages…" : "Load earlier messages"}
          </button>
        </div>
      ) : state.loaded ? (
        <p class="start-of-conversation">Start of the conversation</p>
      ) : null}
      {!state.loaded && !state.error ? <p class="muted">Loading the conversation…</p> : null}
      {state.error ? <p class="error" role="alert">Could not load the conversation: {state.error}</p> : null}
      {items.map((item) => (
        <MessageItem key={item.key} item={item} results={results} thinking={props.thinking} denied={props.denied} />
      ))}
      {props.pending.map((entry) => (
        <div key={entry.localId} class={`bubble user ${entry.error ? "failed" : "pending"}`} data-local-id={entry.localId}>
          {entry.images?.length ? <BubbleImages images={entry.images} /> : null}
          {entry.text ? <p class="bubble-text">{entry.text}</p> : null}
          {entry.error ? (
            <div class="bubble-meta">
              Not delivered: {entry.error}{" "}
              <button type="button" onClick={() => props.retry(entry.localId)}>Retry</button>{" "}
              <button type="button" onClick={() => props.discard(entry.localId)}>Discard</button>
            </div>
          ) : (
            <div class="bubble-meta">
              Sending…{" "}
              <button type="button" aria-label={`Cancel sending: ${entry.text.slice(0, 40)}`} onClick={() => props.discard(entry.localId)}>Cancel</button>
            </div>
          )}
        </div>
      ))}
      {props.thinking && props.workingSince ? <WorkingIndicator since={props.workingSince} /> : null}
      {away ? (
        <button
          type="button"
          class="jump-latest"
          onClick={() => {
            following.current = true;
            setAway(false);
            // Not smooth: the scroll events on the way would read as the user scrolling up again.
            if (scroller.current) scroller.current.scrollTop = scroller.current.scrollHeight;
          }}
        >
          ↓ Jump to latest{unseen(items, seenUpTo.current)}
        </button>
      ) : null}
    </div>
  );
}

/** An ACP agent's result does not say the phone denied it; the agent state does. */
function withDenial(result: ToolResult | undefined, denied: boolean | undefined): ToolResult | undefined {
  return result && denied && !result.denied ? { ...result, denied: true } : result;
}

function BubbleImages({ images }: { images: readonly ImageAttachment[] }) {
  return (
    <div class="bubble-images">
      {images.map((image, i) => (
        <img key={i} src={imageUrl(image)} alt={`Image ${i + 1} sent to the agent`} />
      ))}
    </div>
  );
}

function MessageItem({ item, results, thinking, denied }: { item: Item; results: Map<string, ToolResult>; thinking: boolean; denied?: ReadonlySet<string> }) {
  switch (item.kind) {
    case "user":
      return (
        <div class="bubble user">
          {item.images?.length ? <BubbleImages images={item.images} /> : null}
          {item.text ? <p class="bubble-text">{item.text}</p> : null}
          {item.from === "terminal" || item.from === "cli" ? <div class="bubble-meta">typed in the terminal</div> : null}
        </div>
      );
    case "assistant":
      return (
        <div class="bubble agent">
          <Markdown text={item.text} />
        </div>
      );
    case "thinking":
      return (
        <details class="thinking">
          <summary>Thinking</summary>
          <p>{item.text}</p>
        </details>
      );
    case "tool":
      return <ToolCall name={item.name} input={item.input} result={withDenial(results.get(item.id), denied?.has(item.id))} running={thinking} />;
    case "turn-end":
      return (
        <p class={item.isError ? "turn-end error" : "turn-end"}>
          {item.isError ? `Turn failed${item.text ? `: ${item.text}` : ""}` : "Turn done"}
          {item.cost !== undefined ? ` · ${money(item.cost)}` : ""}
          {item.durationMs !== undefined ? ` · ${(item.durationMs / 1000).toFixed(1)} s` : ""}
        </p>
      );
    case "summary":
      return <p class="event">Summary: {item.text}</p>;
    case "event":
      return <p class="event">{item.text}</p>;
    case "unreadable":
      return <p class="event error">A message this app cannot read (another key or a newer format).</p>;
  }
}

/** " · 3 new": the things shown (replies, tool calls …) that arrived since the user scrolled up. */
function unseen(items: readonly Item[], seenUpTo: number): string {
  // An item's key starts with its message's seq.
  const count = items.filter((item) => Number.parseInt(item.key, 10) > seenUpTo).length;
  return count > 0 ? ` · ${count} new` : "";
}
