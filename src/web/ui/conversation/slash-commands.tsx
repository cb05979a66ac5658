import type { TargetedKeyboardEvent } from "preact";
import { useState } from "preact/hooks";

const SHOWN = 8;

/** The commands for what is typed: `/` alone lists them all; names that start with it first. */
export function matchCommands(commands: readonly string[], query: string): string[] {
  const q = query.toLowerCase();
  const starts = commands.filter((c) => c.toLowerCase().startsWith(q));
  const contains = q ? commands.filter((c) => !c.toLowerCase().startsWith(q) && c.toLowerCase().includes(q)) : [];
  return [...starts, ...contains].slice(0, SHOWN);
}

/**
 * `/` at the start of the message box: the slash commands the agent reported
 * (`slashCommands` in the session metadata) that match, above the box; a tap (or
 * Enter/Tab, arrows to choose) puts `/command ` in the box, to send as a message.
 */
export function useSlashCommands(commands: readonly string[] | undefined, text: string, setText: (text: string) => void, field: () => HTMLTextAreaElement | null) {
  const [selected, setSelected] = useState(0);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const typed = /^\/(\S*)$/.exec(text);
  const matches = typed && commands?.length && text !== dismissed ? matchCommands(commands, typed[1]!) : [];
  const at = Math.min(selected, Math.max(0, matches.length - 1));

  const choose = (command: string) => {
    const next = `/${command} `;
    setText(next);
    setSelected(0);
    requestAnimationFrame(() => {
      const el = field();
      el?.focus();
      el?.setSelectionRange(next.length, next.length);
    });
  };
  /** True when the key was the list's (the composer must not act on it too). */
  const onKeyDown = (event: TargetedKeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (matches.length === 0) return false;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      setSelected((at + (event.key === "ArrowDown" ? 1 : matches.length - 1)) % matches.length);
    } else if (event.key === "Enter" || event.key === "Tab") {
      choose(matches[at]!);
    } else if (event.key === "Escape") {
      setDismissed(text);
    } else return false;
    event.preventDefault();
    return true;
  };

  const list = matches.length > 0 ? (
    <ul class="mention-list" role="listbox" aria-label="Slash commands">
      {matches.map((command, i) => (
        <li key={command} role="option" aria-selected={i === at}>
          {/* No focus on pointerdown: the textarea keeps it, and the phone's keyboard stays up. */}
          <button type="button" tabIndex={-1} onPointerDown={(e) => e.preventDefault()} onMouseDown={(e) => e.preventDefault()} onClick={() => choose(command)}>
            /{command}
          </button>
        </li>
      ))}
    </ul>
  ) : null;
  return { list, onKeyDown };
}
