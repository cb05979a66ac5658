import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { languageOfFile } from "../../files/highlight.ts";
import { PAGE_BYTES, sessionFiles, type SessionFiles } from "../../files/session-files.ts";
import { createTextReader, looksBinary, type OpenedFile } from "../../files/text-file.ts";
import type { Link } from "../../sync/link.ts";
import { CodeLines } from "./code-view.tsx";
import { FileEditor } from "./file-editor.tsx";
import { Breadcrumbs, formatSize } from "./folder-page.tsx";
import { useLink } from "../use-link.ts";
import { FilesFrame } from "./session-tabs.tsx";

/** Lines drawn at first and per "show more". */
const LINES_PER_STEP = 1000;

const message = (failure: unknown) => (failure instanceof Error ? failure.message : String(failure));

/** A file read a page at a time, and the lines of it drawn so far. */
function usePagedFile(files: SessionFiles, path: string, active: boolean) {
  const [file, setFile] = useState<OpenedFile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [shown, setShown] = useState(LINES_PER_STEP);
  const reader = useRef(createTextReader());

  const load = async () => {
    reader.current = createTextReader();
    const page = await files.read(path, 0, PAGE_BYTES);
    setFile({ ...reader.current(page), binary: looksBinary(page.bytes) });
    setShown(LINES_PER_STEP);
  };
  useEffect(() => {
    if (!active) return;
    setError(null);
    load().catch((failure: unknown) => setError(message(failure)));
  }, [files, path, active]);

  /** More of the lines read, or when all are drawn, the next page. */
  const more = async () => {
    if (!file) return;
    if (file.lines > shown) return setShown((n) => n + LINES_PER_STEP);
    setLoadingMore(true);
    try {
      const next = reader.current(await files.read(path, file.loaded, PAGE_BYTES));
      // The first line of the page goes on the last line read so far.
      setFile({ ...next, text: file.text + next.text, lines: file.lines + next.lines - 1, binary: false });
      setShown((n) => n + LINES_PER_STEP);
    } catch (failure) {
      setError(message(failure));
    } finally {
      setLoadingMore(false);
    }
  };
  return { file, setFile, error, loadingMore, shown, more, load };
}

/**
 * A file of the session: highlighted, a page of it read at a time (a large log opens at
 * once), a binary file named and not shown, a small text file editable.
 */
export function FilePage({ link, sessionId, path }: { link: Link; sessionId: string; path: string }) {
  useLink(link);
  const files = useMemo(() => sessionFiles(link, sessionId), [link, sessionId]);
  const active = link.session(sessionId)?.active ?? false;
  const { file, setFile, error, loadingMore, shown, more, load } = usePagedFile(files, path, active);
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const name = path.split("/").pop() ?? path;
  const editable = file && !file.binary && file.whole && file.utf8 && file.hash !== null && !editing;
  const actions = editable ? <button type="button" onClick={() => (setNotice(null), setEditing(true))}>Edit</button> : null;
  return (
    <FilesFrame link={link} sessionId={sessionId} tab="files" title={name} subtitle={path} actions={actions}>
      <div class="file-page">
        <Breadcrumbs link={link} sessionId={sessionId} path={path} />
        {notice ? <p class="notice" role="status">{notice}</p> : null}
        {error ? <p class="error" role="alert">Could not open {name}: {error}</p> : null}
        {!file && !error ? <p class="muted">Opening {name}…</p> : null}
        {file?.binary ? (
          <section class="panel">
            <h2>{name}</h2>
            <p>A binary file of {formatSize(file.size)}: it is not shown here.</p>
          </section>
        ) : null}
        {file && !file.binary && editing ? (
          <FileEditor
            files={files}
            path={path}
            file={file}
            saved={(text, hash, bytes) => {
              setFile({ ...file, text, hash, lines: text.split("\n").length, size: bytes, loaded: bytes });
              setEditing(false);
              setNotice(`Saved ${name}.`);
            }}
            reload={() => {
              setEditing(false);
              setNotice(null);
              void load().then(() => setNotice(`Reloaded ${name} as it is now on the computer.`));
            }}
            cancel={() => setEditing(false)}
          />
        ) : null}
        {file && !file.binary && !editing ? (
          <>
            {!file.utf8 ? <p class="banner banner-warn">This file is not valid UTF-8: some characters may show wrong, and it cannot be edited here.</p> : null}
            <CodeLines text={file.text} language={languageOfFile(path)} shown={shown} label={`Content of ${name}`} />
            <FileFooter file={file} shown={shown} loading={loadingMore} more={() => void more()} />
          </>
        ) : null}
      </div>
    </FilesFrame>
  );
}

function FileFooter({ file, shown, loading, more }: { file: OpenedFile; shown: number; loading: boolean; more: () => void }) {
  const hiddenLines = file.lines - shown;
  const unread = file.size - file.loaded;
  if (hiddenLines <= 0 && unread <= 0) return <p class="muted file-end">{file.lines} lines · {formatSize(file.size)}</p>;
  return (
    <div class="file-more">
      <p class="muted">
        {hiddenLines > 0 ? `Showing ${Math.min(shown, file.lines)} of ${file.lines} lines read so far. ` : ""}
        {unread > 0 ? `Read ${formatSize(file.loaded)} of ${formatSize(file.size)}; ${formatSize(unread)} more.` : ""}
      </p>
      <button type="button" class="show-more" disabled={loading} onClick={more}>
        {loading ? "Reading…" : hiddenLines > 0 ? "Show more lines" : `Read the next ${formatSize(Math.min(PAGE_BYTES, unread))}`}
      </button>
    </div>
  );
}
