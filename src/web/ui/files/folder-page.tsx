import { useEffect, useState } from "preact/hooks";
import type { DirectoryEntry } from "../../../protocol/session-rpc.ts";
import { sessionFiles } from "../../files/session-files.ts";
import type { Link } from "../../sync/link.ts";
import { shortPath } from "../../sync/views.ts";
import { paths } from "../router.ts";
import { PullToRefresh } from "./pull-to-refresh.tsx";
import { useLink } from "../use-link.ts";
import { AppLink, FilesFrame } from "./session-tabs.tsx";

type Listing = { entries: DirectoryEntry[]; truncated: boolean };

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** One folder of the session directory: folders first, each opening, files opening to the viewer. */
export function FolderPage({ link, sessionId, path }: { link: Link; sessionId: string; path: string }) {
  useLink(link);
  const [listing, setListing] = useState<Listing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [asked, setAsked] = useState(0);
  const active = link.session(sessionId)?.active ?? false;

  useEffect(() => {
    if (!active) return;
    let current = true;
    setLoading(true);
    sessionFiles(link, sessionId)
      .list(path || ".")
      .then((found) => current && (setListing(found), setError(null)))
      .catch((failure: unknown) => current && setError(failure instanceof Error ? failure.message : String(failure)))
      .finally(() => current && setLoading(false));
    return () => void (current = false);
  }, [link, sessionId, path, active, asked]);

  const session = link.session(sessionId);
  const root = shortPath(session?.metadata?.path ?? "", session?.metadata?.homeDir, 40);
  const to = (name: string, type: DirectoryEntry["type"]) => {
    const child = path ? `${path}/${name}` : name;
    return paths.files(link.pairing.id, sessionId, type === "directory" ? { kind: "folder", path: child } : { kind: "file", path: child });
  };
  return (
    <FilesFrame link={link} sessionId={sessionId} tab="files" title={path ? (path.split("/").pop() ?? path) : "Files"} subtitle={path ? `${root}/${path}` : root}>
      <PullToRefresh onRefresh={() => setAsked((n) => n + 1)} busy={loading} label="Folder">
        {path ? <Breadcrumbs link={link} sessionId={sessionId} path={path} /> : null}
        {error ? <p class="error" role="alert">Could not open this folder: {error}</p> : null}
        {listing && listing.entries.length === 0 ? <p class="muted empty-note">An empty folder.</p> : null}
        {listing ? (
          <ul class="file-list" aria-label="Folder contents">
            {listing.entries.map((entry) => (
              <li key={entry.name}>
                {entry.type === "other" ? (
                  <span class={`file-row entry-other`}>
                    <span class="entry-icon" aria-hidden="true">↪</span>
                    <span class="file-name">{entry.name}</span>
                    <span class="muted">link or special file</span>
                  </span>
                ) : (
                  <AppLink class={`file-row entry-${entry.type}`} href={to(entry.name, entry.type)} label={`${entry.name}, ${entry.type === "directory" ? "folder" : "file"}`}>
                    <span class="entry-icon" aria-hidden="true">{entry.type === "directory" ? "▸" : "·"}</span>
                    <span class="file-name">{entry.name}{entry.type === "directory" ? "/" : ""}</span>
                    {entry.type === "file" && entry.size !== undefined ? <span class="muted">{formatSize(entry.size)}</span> : null}
                  </AppLink>
                )}
              </li>
            ))}
          </ul>
        ) : null}
        {listing?.truncated ? <p class="banner banner-warn">This folder holds more entries than one answer carries; the first {listing.entries.length} are shown.</p> : null}
      </PullToRefresh>
    </FilesFrame>
  );
}

/** Each folder above this one, to go back up in one tap. */
export function Breadcrumbs({ link, sessionId, path }: { link: Link; sessionId: string; path: string }) {
  const names = path.split("/").filter(Boolean);
  return (
    <nav class="breadcrumbs" aria-label="Folders above">
      <AppLink href={paths.files(link.pairing.id, sessionId, { kind: "folder", path: "" })}>top</AppLink>
      {names.slice(0, -1).map((name, i) => (
        <span key={i}>
          {" / "}
          <AppLink href={paths.files(link.pairing.id, sessionId, { kind: "folder", path: names.slice(0, i + 1).join("/") })}>{name}</AppLink>
        </span>
      ))}
    </nav>
  );
}
