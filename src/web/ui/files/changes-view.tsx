import type { DiffSide } from "../../files/git.ts";
import type { ChangedFile, ChangeKind, GitStatus } from "../../files/git-status.ts";
import type { Link } from "../../sync/link.ts";
import { paths } from "../router.ts";
import { PullToRefresh } from "./pull-to-refresh.tsx";
import { AppLink, FilesFrame } from "./session-tabs.tsx";
import { useLink } from "../use-link.ts";
import { useGitStatus } from "./use-git-status.ts";

const LETTER: Record<ChangeKind, string> = {
  modified: "M", added: "A", deleted: "D", renamed: "R", copied: "C", "type-changed": "T", conflict: "U", untracked: "?",
};

/** The session repository's changed files, staged, not staged and untracked, each opening to its diff. */
export function ChangesView({ link, sessionId }: { link: Link; sessionId: string }) {
  useLink(link);
  const git = useGitStatus(link, sessionId);
  const refresh = (
    <button type="button" class="icon-button" aria-label="Refresh changes" disabled={git.loading} onClick={() => void git.refresh()}>
      ↻
    </button>
  );
  return (
    <FilesFrame link={link} sessionId={sessionId} tab="changes" title="Changes" actions={refresh}>
      <PullToRefresh onRefresh={() => void git.refresh()} busy={git.loading} label="Changed files">
        {git.error ? <p class="error" role="alert">Could not read the changes: {git.error}</p> : null}
        <StatusBody link={link} sessionId={sessionId} git={git} />
      </PullToRefresh>
    </FilesFrame>
  );
}

function StatusBody({ link, sessionId, git }: { link: Link; sessionId: string; git: ReturnType<typeof useGitStatus> }) {
  const result = git.result;
  const browse = <AppLink class="button" href={paths.files(link.pairing.id, sessionId, { kind: "folder", path: "" })}>Browse the files</AppLink>;
  if (!result) return git.loading ? <p class="muted">Reading git status…</p> : null;
  if (result.kind === "not-a-repository") {
    return (
      <section class="panel">
        <h2>Not a git repository</h2>
        <p>This session's directory is not in a git repository, so there are no changes to list.</p>
        {browse}
      </section>
    );
  }
  if (result.kind === "no-git") {
    return (
      <section class="panel">
        <h2>git is not installed</h2>
        <p>The computer has no <code>git</code> command, so changes cannot be listed.</p>
        {browse}
      </section>
    );
  }
  if (result.kind === "failed") return <p class="error" role="alert">git status failed: {result.error}</p>;
  const { status } = result;
  return (
    <>
      <BranchLine status={status} />
      {result.cut ? <p class="banner banner-warn">The list is too long to show whole ({result.cut} more were left out).</p> : null}
      <FileGroup link={link} sessionId={sessionId} title="Conflicts" side="conflict" files={status.conflicted} />
      <FileGroup link={link} sessionId={sessionId} title="Staged" side="staged" files={status.staged} />
      <FileGroup link={link} sessionId={sessionId} title="Not staged" side="unstaged" files={status.unstaged} />
      <FileGroup link={link} sessionId={sessionId} title="Untracked" side="untracked" files={status.untracked} />
      {status.staged.length + status.unstaged.length + status.untracked.length + status.conflicted.length === 0 ? (
        <p class="muted empty-note">Nothing changed: the work tree matches the last commit.</p>
      ) : null}
    </>
  );
}

function BranchLine({ status }: { status: GitStatus }) {
  const where = status.branch ?? (status.commit ? `detached at ${status.commit.slice(0, 8)}` : "no branch");
  const sync = status.upstream
    ? status.ahead || status.behind
      ? `${status.ahead} ahead, ${status.behind} behind ${status.upstream}`
      : `up to date with ${status.upstream}`
    : "no upstream";
  return (
    <p class="branch-line" aria-label="Branch">
      <strong>{where}</strong>
      {status.commit ? null : <span class="muted"> · no commits yet</span>}
      <span class="muted"> · {sync}</span>
    </p>
  );
}

/** At most this many rows per group at first: a repository with thousands of new files stays usable. */
const GROUP_ROWS = 200;

function FileGroup(props: { link: Link; sessionId: string; title: string; side: DiffSide; files: ChangedFile[] }) {
  if (props.files.length === 0) return null;
  const shown = props.files.slice(0, GROUP_ROWS);
  return (
    <section class="change-group" aria-label={props.title}>
      <h2 class="group-title">
        {props.title} <span class="muted">{props.files.length}</span>
      </h2>
      <ul class="file-list">
        {shown.map((file) => (
          <li key={file.gitPath}>
            <AppLink
              class={`file-row change-${file.kind}`}
              href={paths.files(props.link.pairing.id, props.sessionId, { kind: "diff", side: props.side, gitPath: file.gitPath })}
              label={`${file.path}, ${file.kind}`}
            >
              <span class="change-letter" aria-hidden="true">{LETTER[file.kind]}</span>
              <span class="file-name">{file.path}</span>
              {file.from ? <span class="muted file-from">from {file.from}</span> : null}
            </AppLink>
          </li>
        ))}
      </ul>
      {props.files.length > shown.length ? <p class="muted">…and {props.files.length - shown.length} more.</p> : null}
    </section>
  );
}
