import { useEffect, useState } from "preact/hooks";
import { gitDiff, type DiffResult, type DiffSide } from "../../files/git.ts";
import type { ChangedFile, GitStatus } from "../../files/git-status.ts";
import { sessionFiles } from "../../files/session-files.ts";
import type { DiffRow } from "../../files/unified-diff.ts";
import type { Link } from "../../sync/link.ts";
import { paths } from "../router.ts";
import { AppLink, FilesFrame } from "./session-tabs.tsx";
import { useLink } from "../use-link.ts";
import { useGitStatus } from "./use-git-status.ts";

/** Rows drawn at first and added per "show more": a diff of a generated file stays quick. */
export const DIFF_PAGE_ROWS = 400;

const SIDE_LABEL: Record<DiffSide, string> = { staged: "staged", unstaged: "not staged", untracked: "untracked", conflict: "conflict" };

function findFile(status: GitStatus, side: DiffSide, gitPath: string): ChangedFile | undefined {
  const list = { staged: status.staged, unstaged: status.unstaged, untracked: status.untracked, conflict: status.conflicted }[side];
  return list.find((file) => file.gitPath === gitPath);
}

/** One changed file's diff: unified, with old and new line numbers, a page of rows at a time. */
export function DiffPage({ link, sessionId, side, gitPath }: { link: Link; sessionId: string; side: DiffSide; gitPath: string }) {
  useLink(link);
  const git = useGitStatus(link, sessionId);
  const file = git.result?.kind === "status" ? findFile(git.result.status, side, gitPath) : undefined;
  const [diff, setDiff] = useState<DiffResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [rows, setRows] = useState(DIFF_PAGE_ROWS);
  const [asked, setAsked] = useState(0);

  useEffect(() => {
    if (!file) return;
    let current = true;
    setError(null);
    gitDiff(sessionFiles(link, sessionId), file, side)
      .then((found) => current && setDiff(found))
      .catch((failure: unknown) => current && setError(failure instanceof Error ? failure.message : String(failure)));
    return () => void (current = false);
  }, [link, sessionId, side, file?.gitPath, file?.from, asked]);

  const name = file?.path ?? gitPath;
  const openFile = file && file.kind !== "deleted" ? (
    <AppLink class="button" href={paths.files(link.pairing.id, sessionId, { kind: "file", path: file.path })}>Open file</AppLink>
  ) : null;
  const gone = git.result?.kind === "status" && !file && !git.loading;
  return (
    <FilesFrame link={link} sessionId={sessionId} tab="changes" title={name.split("/").pop() ?? name} subtitle={`${name} · ${SIDE_LABEL[side]}`}>
      <div class="diff-page">
        <div class="row diff-toolbar">
          {diff ? (
            <span class="diff-counts" aria-label="Lines changed">
              <span class="count-added">+{diff.diff.added}</span> <span class="count-removed">−{diff.diff.removed}</span>
            </span>
          ) : null}
          {openFile}
          <button type="button" onClick={() => void git.refresh().then(() => setAsked((n) => n + 1))}>Refresh</button>
        </div>
        {gone ? <p class="muted">This file has no {SIDE_LABEL[side]} changes any more.</p> : null}
        {error ? <p class="error" role="alert">Could not read the diff: {error}</p> : null}
        {!diff && !error && !gone ? <p class="muted">Reading the diff…</p> : null}
        {diff ? <DiffBody result={diff} rows={rows} more={() => setRows((n) => n + DIFF_PAGE_ROWS)} /> : null}
      </div>
    </FilesFrame>
  );
}

function DiffBody({ result, rows, more }: { result: DiffResult; rows: number; more: () => void }) {
  const { diff, cut } = result;
  const shown = diff.rows.slice(0, rows);
  return (
    <>
      {diff.notes.length > 0 ? <p class="diff-notes muted">{diff.notes.join(" · ")}</p> : null}
      {diff.binary ? <p class="panel">A binary file: its bytes changed, there are no lines to show.</p> : null}
      {!diff.binary && diff.rows.length === 0 ? <p class="muted">No line changed{diff.notes.length ? "" : " (an empty file)"}.</p> : null}
      {shown.length > 0 ? (
        <div class="unified-diff" role="table" aria-label="Diff">
          {shown.map((row, i) => <Row key={i} row={row} />)}
        </div>
      ) : null}
      {diff.rows.length > shown.length ? (
        <button type="button" class="show-more" onClick={more}>
          Show {Math.min(DIFF_PAGE_ROWS, diff.rows.length - shown.length)} more lines ({diff.rows.length - shown.length} left)
        </button>
      ) : null}
      {cut ? <p class="banner banner-warn">The diff is too long to send whole: {cut} more were left out.</p> : null}
    </>
  );
}

const SIGN = { same: " ", added: "+", removed: "−" } as const;

function Row({ row }: { row: DiffRow }) {
  if (row.kind === "hunk") return <div class="diff-hunk" role="row">{row.text}</div>;
  if (row.kind === "note") return <div class="diff-note muted" role="row">{row.text}</div>;
  return (
    <div class={`diff-line diff-${row.kind}`} role="row">
      <span class="ln" aria-label="old line">{row.oldLine ?? ""}</span>
      <span class="ln" aria-label="new line">{row.newLine ?? ""}</span>
      <span class="diff-sign" aria-hidden="true">{SIGN[row.kind]}</span>
      <span class="diff-text">{row.text || " "}</span>
    </div>
  );
}
