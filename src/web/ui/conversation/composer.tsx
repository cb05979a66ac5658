import { useRef, useState } from "preact/hooks";
import type { ImageAttachment, PermissionMode } from "../../../protocol/plaintext.ts";
import { useMentions, type MentionSource } from "../files/mentions.tsx";
import { useImageAttach } from "./image-attach.tsx";
import { ModelPicker } from "./model-picker.tsx";
import type { AgentModel } from "../../../protocol/plaintext.ts";
import { useSlashCommands } from "./slash-commands.tsx";

const TOUCH = matchMedia("(pointer: coarse)");

const MODES: Array<{ value: PermissionMode; label: string }> = [
  { value: "default", label: "Ask before edits" },
  { value: "acceptEdits", label: "Accept edits" },
  { value: "plan", label: "Plan only" },
  { value: "bypassPermissions", label: "Bypass permissions" },
];

/**
 * The message box. Sending never waits for the network: the text goes to the outbox
 * at once (shown as pending) and is delivered when the daemon can be reached.
 */
export function Composer(props: {
  send: (text: string, mode: PermissionMode, images: ImageAttachment[]) => void;
  mode: PermissionMode;
  setMode: (mode: PermissionMode) => void;
  thinking: boolean;
  abort: () => void;
  /** Files `@` suggests. */
  mentions?: MentionSource;
  /** The model picker; absent when the agent offers no choice. */
  model?: { value: string; choices: readonly AgentModel[]; set: (next: string) => void };
  /** The agent's slash commands, which `/` suggests. */
  slashCommands?: readonly string[];
}) {
  const [text, setText] = useState("");
  const [images, setImages] = useState<ImageAttachment[]>([]);
  const field = useRef<HTMLTextAreaElement>(null);
  const mention = useMentions(props.mentions, text, setText, () => field.current);
  const attach = useImageAttach(images, setImages);
  const slash = useSlashCommands(props.slashCommands, text, setText, () => field.current);
  const submit = () => {
    const trimmed = text.trim();
    if (!trimmed && images.length === 0) return;
    props.send(trimmed, props.mode, images);
    setText("");
    setImages([]);
  };
  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <div class="composer-tools">
        <select
          aria-label="Permission mode"
          value={props.mode}
          class={props.mode === "bypassPermissions" ? "mode-bypass" : undefined}
          onChange={(e) => props.setMode(e.currentTarget.value as PermissionMode)}
        >
          {MODES.map((m) => (
            <option key={m.value} value={m.value}>
              {m.label}
            </option>
          ))}
        </select>
        {props.model && props.model.choices.length > 0 ? <ModelPicker choices={props.model.choices} value={props.model.value} onChange={props.model.set} /> : null}
        {props.thinking ? (
          <button type="button" class="danger" onClick={props.abort}>
            Stop turn
          </button>
        ) : null}
      </div>
      {mention.list}
      {slash.list}
      {attach.strip}
      <div class="composer-row">
        {attach.button}
        <textarea
          ref={field}
          aria-label="Message to the agent"
          placeholder="Message the agent…"
          rows={1}
          value={text}
          onInput={(e) => {
            setText(e.currentTarget.value);
            mention.track(e.currentTarget.value, e.currentTarget.selectionStart);
          }}
          onKeyDown={(e) => {
            if (slash.onKeyDown(e) || mention.onKeyDown(e)) return;
            // Enter sends with a hardware keyboard; on a touch keyboard it is a new line.
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing && !TOUCH.matches) {
              e.preventDefault();
              submit();
            }
          }}
        />
        <button type="submit" class="primary send" aria-label="Send message" disabled={!text.trim() && images.length === 0}>
          Send
        </button>
      </div>
    </form>
  );
}
