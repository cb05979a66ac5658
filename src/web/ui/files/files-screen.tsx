import type { Link } from "../../sync/link.ts";
import { ChangesView } from "./changes-view.tsx";
import { DiffPage } from "./diff-page.tsx";
import { FilePage } from "./file-page.tsx";
import type { FilesView } from "./files-route.ts";
import { FolderPage } from "./folder-page.tsx";

/** The page of a session's files the route names. */
export function FilesScreen({ link, sessionId, view }: { link: Link; sessionId: string; view: FilesView }) {
  switch (view.kind) {
    case "changes":
      return <ChangesView link={link} sessionId={sessionId} />;
    case "diff":
      return <DiffPage key={`${view.side}:${view.gitPath}`} link={link} sessionId={sessionId} side={view.side} gitPath={view.gitPath} />;
    case "folder":
      return <FolderPage key={view.path} link={link} sessionId={sessionId} path={view.path} />;
    case "file":
      return <FilePage key={view.path} link={link} sessionId={sessionId} path={view.path} />;
  }
}
