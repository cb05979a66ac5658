import type { DiffSide } from "../../files/git.ts";

/**
 * The pages under a session that show its files: the Changes list, one file's diff,
 * a folder, a file. Paths are relative to the session directory, one URL segment per
 * name, so the browser's back goes up the way the user came down.
 */
export type FilesView =
  | { kind: "changes" }
  | { kind: "diff"; side: DiffSide; gitPath: string }
  | { kind: "folder"; path: string }
  | { kind: "file"; path: string };

const SIDES: readonly DiffSide[] = ["staged", "unstaged", "untracked", "conflict"];

/** `parts`: the decoded segments after `/s/<pairing>/<session>/`. */
export function parseFilesView(parts: string[]): FilesView | null {
  const [first, ...rest] = parts;
  const path = rest.join("/");
  if (first === "changes" && rest.length === 0) return { kind: "changes" };
  if (first === "changes" && SIDES.includes(rest[0] as DiffSide) && rest.length > 1) {
    return { kind: "diff", side: rest[0] as DiffSide, gitPath: rest.slice(1).join("/") };
  }
  if (first === "files") return { kind: "folder", path };
  if (first === "file" && path) return { kind: "file", path };
  return null;
}

const segments = (path: string) => path.split("/").filter(Boolean).map(encodeURIComponent).join("/");

export function filesViewPath(sessionPath: string, view: FilesView): string {
  switch (view.kind) {
    case "changes":
      return `${sessionPath}/changes`;
    case "diff":
      return `${sessionPath}/changes/${view.side}/${segments(view.gitPath)}`;
    case "folder":
      return `${sessionPath}/files${view.path ? `/${segments(view.path)}` : ""}`;
    case "file":
      return `${sessionPath}/file/${segments(view.path)}`;
  }
}
