import type { TargetedKeyboardEvent } from "preact";
import { useEffect, useState } from "preact/hooks";
import { insertMention, matchPaths, mentionAt, withFolders } from "../../files/mention-match.ts";
import { sessionFiles } from "../../files/session-files.ts";
import type { Link } from "../../sync/link.ts";

/** Where `@` finds files: a session's file list, read once and kept a little while. */
export type MentionSource = () => Promise<string[]>;

/** A session's files are listed again after this long: the agent adds files as it works. */
const FRESH_MS = 30_000;
const lists = new WeakMap<Link, Map<string, { at: number; files: Promise<string[]> }>>();

export function sessionMentions(link: Link, sid: string): MentionSource {
  return () => {
    let bySession = lists.get(link);
    if (!bySession) lists.set(link, (bySession = new Map()));
    const cached = bySession.get(sid);
    if (cached && Date.now() - cached.at < FRESH_MS) return cached.files;
    const files = sessionFiles(link, sid).allFiles().then(withFolders);
    // A failed listing is not kept: the next `@` asks again.
    files.catch(() => bySession.delete(sid));
    bySession.set(sid, { at: Date.now(), files });
    return files;
  };
}

type Open = { start: number; query: string; caret: number };

/**
 * `@` in the composer: while a mention is typed, the matching files are listed above it;
 * a tap (or Enter/Tab, arrows to choose) puts the path in its place.
 */
export function useMentions(source: MentionSource | undefined, text: string, setText: (text: string) => void, field: () => HTMLTextAreaElement | null) {
  const [open, setOpen] = useState<Open | null>(null);
  const [files, setFiles] = useState<string[] | null>(null);
  const [selected, setSelected] = useState(0);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!open || !source || files) return;
    source()
      .then(setFiles)
      .catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)));
  }, [open !== null, source, files]);

  const matches = open && files ? matchPaths(files, open.query) : [];
  const track = (value: string, caret: number) => {
    const found = source ? mentionAt(value, caret) : null;
    setOpen(found ? { ...found, caret } : null);
    setSelected(0);
    if (!found) setFiles(null);
  };
  const choose = (path: string) => {
    if (!open) return;
    const next = insertMention(text, open, open.caret, path);
    setText(next.text);
    setOpen(null);
    setFiles(null);
    requestAnimationFrame(() => {
      const el = field();
      el?.focus();
      el?.setSelectionRange(next.caret, next.caret);
    });
  };
  /** True when the key was the list's (the composer must not act on it too). */
  const onKeyDown = (event: TargetedKeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!open || matches.length === 0) return false;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      setSelected((i) => (i + (event.key === "ArrowDown" ? 1 : matches.length - 1)) % matches.length);
    } else if (event.key === "Enter" || event.key === "Tab") {
      choose(matches[selected] ?? matches[0]!);
    } else if (event.key === "Escape") {
      setOpen(null);
    } else return false;
    event.preventDefault();
    return true;
  };

  const list = open ? (
    <ul class="mention-list" role="listbox" aria-label="Files to mention">
      {error ? <li class="error">Could not list the files: {error}</li> : null}
      {!files && !error ? <li class="muted">Listing files…</li> : null}
      {files && matches.length === 0 ? <li class="muted">No file matches “{open.query}”.</li> : null}
      {matches.map((path, i) => (
        <li key={path} role="option" aria-selected={i === selected}>
          {/* No focus on pointerdown: the textarea keeps it, and the phone's keyboard stays up. */}
          <button type="button" tabIndex={-1} onPointerDown={(e) => e.preventDefault()} onMouseDown={(e) => e.preventDefault()} onClick={() => choose(path)}>
            <MentionLabel path={path} />
          </button>
        </li>
      ))}
    </ul>
  ) : null;
  return { list, track, onKeyDown };
}

function MentionLabel({ path }: { path: string }) {
  const cut = path.lastIndexOf("/", path.length - 2) + 1;
  return (
    <>
      <span>{path.slice(cut)}</span>
      {cut > 0 ? <span class="mention-dir">{path.slice(0, cut)}</span> : null}
    </>
  );
}
