import { useEffect, useRef, useState } from "preact/hooks";

/**
 * The session's ⋯ menu. It closes as soon as an action is picked; stopping the session
 * asks first, in the app (a sheet at thumb reach), since it ends the agent's work.
 * Each action is offered only when it means something: "hand control to the terminal"
 * only while a terminal holds the session and the phone is in control.
 */
export function SessionMenu(props: { canHandBack: boolean; canStop: boolean; handBack: () => void; stop: () => void }) {
  const menu = useRef<HTMLDetailsElement>(null);
  const [confirming, setConfirming] = useState(false);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) cancel.current?.focus();
  }, [confirming]);
  // A tap anywhere else closes it too, as any menu does.
  useEffect(() => {
    const outside = (event: PointerEvent) => {
      const el = menu.current;
      if (el?.open && !el.contains(event.target as Node)) el.open = false;
    };
    document.addEventListener("pointerdown", outside);
    return () => document.removeEventListener("pointerdown", outside);
  }, []);
  const pick = (action: () => void) => () => {
    if (menu.current) menu.current.open = false;
    action();
  };
  if (!props.canHandBack && !props.canStop && !confirming) return null;
  return (
    <>
      <details class="menu" ref={menu}>
        <summary aria-label="Session actions">⋯</summary>
        <div class="menu-items">
          {props.canHandBack ? (
            <button type="button" onClick={pick(props.handBack)}>Hand control to the terminal</button>
          ) : null}
          {props.canStop ? (
            <button type="button" class="danger" onClick={pick(() => setConfirming(true))}>Stop session…</button>
          ) : null}
        </div>
      </details>
      {confirming ? (
        <div class="sheet-backdrop" onClick={() => setConfirming(false)} onKeyDown={(e) => e.key === "Escape" && setConfirming(false)}>
          <section class="panel sheet" role="alertdialog" aria-label="Stop this session?" onClick={(e) => e.stopPropagation()}>
            <h2>Stop this session?</h2>
            <p>The agent stops, also in the middle of a turn. The conversation is kept, and you can resume it later.</p>
            <div class="row">
              <button type="button" class="danger" onClick={() => { setConfirming(false); props.stop(); }}>Stop session</button>
              {/* Focus starts on the harmless choice, so Enter does not stop the session. */}
              <button type="button" ref={cancel} onClick={() => setConfirming(false)}>Cancel</button>
            </div>
          </section>
        </div>
      ) : null}
    </>
  );
}
