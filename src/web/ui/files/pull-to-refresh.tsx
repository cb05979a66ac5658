import type { ComponentChildren } from "preact";
import { useRef, useState } from "preact/hooks";

/** How far (px) a pull from the top must go before letting go refreshes. */
const PULL_PX = 70;

/**
 * A scrolling area that refreshes when pulled down from its top, as lists on a phone do.
 * Its own overscroll is contained, so the browser's pull-to-reload does not reload the app.
 */
export function PullToRefresh(props: { onRefresh: () => void; busy: boolean; label: string; children: ComponentChildren }) {
  const area = useRef<HTMLDivElement>(null);
  const start = useRef<number | null>(null);
  const [pull, setPull] = useState(0);
  const end = () => {
    if (pull >= PULL_PX) props.onRefresh();
    start.current = null;
    setPull(0);
  };
  return (
    <div
      ref={area}
      class="pull-area"
      aria-label={props.label}
      onTouchStart={(e) => {
        start.current = area.current && area.current.scrollTop <= 0 ? (e.touches[0]?.clientY ?? null) : null;
      }}
      onTouchMove={(e) => {
        if (start.current === null) return;
        setPull(Math.max(0, Math.min(PULL_PX * 1.5, (e.touches[0]?.clientY ?? start.current) - start.current)));
      }}
      onTouchEnd={end}
      onTouchCancel={() => {
        start.current = null;
        setPull(0);
      }}
    >
      {pull > 0 || props.busy ? (
        <p class="pull-note muted" role="status" style={{ height: `${props.busy ? 32 : pull / 2}px` }}>
          {props.busy ? "Refreshing…" : pull >= PULL_PX ? "Release to refresh" : "Pull to refresh"}
        </p>
      ) : null}
      {props.children}
    </div>
  );
}
