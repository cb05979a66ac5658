import { basename } from "node:path";
import { BODY_MAX, TITLE_MAX, oneLine, openPath, type Notification, type SessionNotice } from "../protocol/notify.ts";

/** Where it happened, as a phone has room for it: the project folder's name. */
export type Place = { sessionId: string | null; directory: string | null };

const project = (place: Place) => (place.directory ? basename(place.directory) || place.directory : "remcli");
const tagOf = (sessionId: string | null) => (sessionId ? `remcli-${sessionId}` : "remcli");

function notification(kind: Notification["kind"], place: Place, title: string, body: string, now = Date.now()): Notification {
  return {
    kind,
    title: oneLine(title, TITLE_MAX),
    body: oneLine(body, BODY_MAX),
    url: openPath(place.sessionId),
    tag: tagOf(place.sessionId),
    sessionId: place.sessionId,
    count: 1,
    at: now,
  };
}

export function fromSession(place: Place, notice: SessionNotice): Notification {
  if (notice.kind === "permission") return notification("permission", place, `Approval needed · ${project(place)}`, notice.summary || notice.tool);
  return notification("finished", place, `Done · ${project(place)}`, notice.summary || "The agent finished its turn.");
}

export function sessionEnded(place: Place, reason: string, crashed: boolean): Notification {
  return crashed
    ? notification("crashed", place, `Session crashed · ${project(place)}`, reason)
    : notification("ended", place, `Session ended · ${project(place)}`, reason);
}

export function spawnFailed(directory: string, reason: string): Notification {
  return notification("spawn-failed", { sessionId: null, directory }, "Could not start a session", `${directory}: ${reason}`);
}

export function testNotification(): Notification {
  return notification("test", { sessionId: null, directory: null }, "remcli test notification", "Notifications from this computer reach you here.");
}

const PHRASES: Record<Notification["kind"], string> = {
  permission: "approvals needed",
  finished: "turns done",
  ended: "sessions ended",
  crashed: "sessions crashed",
  "spawn-failed": "sessions did not start",
  test: "tests",
};

/**
 * A burst of one kind held back during the collapse window, as one notification: how
 * many, and the latest one's text. It keeps the session's tag when they all came from
 * one session, so on the phone it replaces the notification before it.
 */
export function collapse(held: Notification[], now = Date.now()): Notification {
  const latest = held.at(-1)!;
  const total = held.reduce((sum, n) => sum + n.count, 0);
  const oneSession = held.every((n) => n.sessionId === latest.sessionId);
  const where = oneSession ? latest.title.split(" · ").slice(1).join(" · ") : "";
  return {
    kind: latest.kind,
    title: oneLine(`${total} more ${PHRASES[latest.kind]} · ${where || "remcli"}`, TITLE_MAX),
    body: oneLine(`Latest: ${latest.body}`, BODY_MAX),
    url: oneSession ? latest.url : openPath(null),
    tag: oneSession ? latest.tag : tagOf(null),
    sessionId: oneSession ? latest.sessionId : null,
    count: total,
    at: now,
  };
}
