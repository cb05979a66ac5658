import { useEffect, useState } from "preact/hooks";
import { PermissionMode } from "../../../protocol/plaintext.ts";
import type { Link } from "../../sync/link.ts";
import { resumeSession, terminalCanTakeOver } from "../../sync/resume.ts";
import { sessionState, sessionTitle, shortPath, type ChatMessage } from "../../sync/views.ts";
import { Composer } from "../conversation/composer.tsx";
import { CostLine } from "../conversation/cost-line.tsx";
import { ResumeBar } from "../conversation/resume-bar.tsx";
import { SessionMenu } from "../conversation/session-menu.tsx";
import { MessageList } from "../conversation/message-list.tsx";
import { DEFAULT_MODEL, modelChoices, useSessionModel } from "../conversation/model-picker.tsx";
import { turnStartedAt } from "../conversation/turn-start.ts";
import { PermissionCard } from "../conversation/permission-card.tsx";
import { sessionMentions } from "../files/mentions.tsx";
import { SessionTabs } from "../files/session-tabs.tsx";
import { sessionNotes } from "../sessions/notes.ts";
import { LinkBanner } from "../parts/link-banner.tsx";
import { StateBadge } from "../parts/state-badge.tsx";
import { goBack, navigate, paths } from "../router.ts";
import { useLink } from "../use-link.ts";
import { RotatedPanel } from "./problem-panels.tsx";
import { rememberPreference } from "../preference.ts";

/** The tool calls whose permission was denied, by id (a request's id is its tool call's). */
function deniedTools(completed: Record<string, { status: string }> | null | undefined): Set<string> {
  return new Set(Object.entries(completed ?? {}).flatMap(([id, request]) => (request.status === "denied" ? [id] : [])));
}

const ABORT_REASON =
  "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a file edit, the new_string was NOT written to the file). STOP what you are doing and wait for the user to tell you how to proceed.";

/** The permission mode picked for a session, remembered on this phone. */
function usePermissionMode(sessionId: string) {
  const key = `remcli.mode.${sessionId}`;
  const [mode, setMode] = useState<PermissionMode>(() => PermissionMode.catch("default").parse(localStorage.getItem(key)));
  return [mode, (next: PermissionMode) => {
    rememberPreference(key, next);
    setMode(next);
  }] as const;
}

export function SessionScreen({ link, sessionId, forget }: { link: Link; sessionId: string; forget: () => void }) {
  useLink(link);
  const conversation = link.conversation(sessionId);
  const session = link.session(sessionId);
  const [mode, setMode] = usePermissionMode(sessionId);
  const [model, setModel] = useSessionModel(sessionId);
  const [notice, setNotice] = useState<string | null>(null);
  const [mentionSource] = useState(() => sessionMentions(link, sessionId));
  // Marked at the first render, so the measure covers fetching, decrypting and painting.
  useState(() => performance.mark("remcli:session-open"));

  // Messages decrypt with the session's key: wait until the session itself is known.
  const known = session !== undefined;
  useEffect(() => {
    if (known) void conversation.open();
  }, [conversation, known]);

  if (link.status.kind === "rotated") return <main class="screen"><RotatedPanel link={link} forget={forget} /></main>;
  if (link.refreshed && !session) {
    return (
      <main class="screen">
        <section class="panel panel-problem">
          <h2>This session is gone</h2>
          <p>It was deleted on the computer, or it belongs to another pairing.</p>
          <button type="button" onClick={goBack}>Back to sessions</button>
        </section>
      </main>
    );
  }

  const state = session ? sessionState(session) : "offline";
  const requests = Object.entries(session?.agentState?.requests ?? {}).map(([id, r]) => ({ id, tool: r.tool, arguments: r.arguments }));
  const machineId = session?.metadata?.machineId || link.machines()[0]?.id;

  const act = async (what: string, run: () => Promise<unknown>) => {
    setNotice(null);
    try {
      await run();
      setNotice(what);
    } catch (error) {
      setNotice(`Failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  return (
    <main class="screen session">
      <header class="topbar">
        <button type="button" class="back" aria-label="Back to sessions" onClick={goBack}>‹</button>
        <div class="topbar-title">
          <h1>{session ? sessionTitle(session, sessionNotes(link).first(sessionId)) : "Session"}</h1>
          <p class="muted path" title={session?.metadata?.path}>{shortPath(session?.metadata?.path ?? "", session?.metadata?.homeDir, 40)}</p>
        </div>
        <StateBadge state={state} />
        <SessionMenu
          canHandBack={session ? terminalCanTakeOver(session) : false}
          canStop={Boolean(session?.active && machineId)}
          handBack={() => void act("Control handed back to the terminal.", () => link.sessionRpc(sessionId, "switch", { to: "local" }))}
          stop={() => void act("Session stopped.", () => link.machineRpc(machineId!, "stop-session", { sessionId }))}
        />
      </header>
      <SessionTabs link={link} sessionId={sessionId} current="chat" />
      <LinkBanner link={link} />
      <CostLine messages={conversation.state.messages} live={session?.usage?.cost ?? null} />
      {notice ? <p class="notice" role="status">{notice}</p> : null}
      <MessageList
        conversation={conversation}
        denied={deniedTools(session?.agentState?.completedRequests)}
        pending={link.pending(sessionId)}
        thinking={state === "thinking"}
        workingSince={workingSince(session?.thinkingSince ?? null, conversation.state.messages, link.daemonNow() - Date.now())}
        retry={link.retry}
        discard={link.discard}
        onFirstPaint={() =>
          requestAnimationFrame(() => {
            performance.mark("remcli:session-painted");
            performance.measure("remcli:session-first-paint", "remcli:session-open", "remcli:session-painted");
          })
        }
      />
      <div class="bottom">
        {requests.map((request) => (
          <PermissionCard
            key={request.id}
            request={request}
            answer={async (params) => {
              await link.sessionRpc(sessionId, "permission", params);
            }}
          />
        ))}
        {session && !session.active ? (
          <ResumeBar
            unavailable={link.status.kind === "online" ? null : "The computer is not reachable right now."}
            resume={async () => {
              setNotice(null);
              const resumed = await resumeSession(link, session);
              if (resumed !== sessionId) navigate(paths.session(link.pairing.id, resumed), { replace: true });
            }}
          />
        ) : (
          <Composer
            mode={mode}
            setMode={setMode}
            thinking={state === "thinking"}
            send={(text, m, images) => link.send(sessionId, text, m, images, model ?? undefined)}
            model={{ value: model ?? DEFAULT_MODEL, choices: modelChoices(session), set: setModel }}
            mentions={mentionSource}
            slashCommands={session?.metadata?.slashCommands}
            abort={() => void act("Turn stopped.", () => link.sessionRpc(sessionId, "abort", { reason: ABORT_REASON }))}
          />
        )}
      </div>
    </main>
  );
}

/**
 * Since when the agent works, on this phone's clock: when this phone saw it start, or
 * earlier when the stored prompt of the running turn says so (the app was opened or
 * reloaded mid-turn).
 */
function workingSince(seen: number | null, messages: readonly ChatMessage[], daemonAhead: number): number | null {
  if (seen === null) return null;
  const started = turnStartedAt(messages);
  return started === null ? seen : Math.min(seen, started - daemonAhead);
}
