import type { JSX } from "preact";
import { DiffView } from "./diff-view.tsx";
import type { ToolResult } from "./items.ts";

type Input = Record<string, unknown>;
const str = (value: unknown): string => (typeof value === "string" ? value : "");
const asInput = (value: unknown): Input => (value && typeof value === "object" ? (value as Input) : {});

/** A one-line "what is it doing" for a tool call: the command, the file, the pattern. */
export function toolSubject(name: string, raw: unknown): string {
  const input = asInput(raw);
  const first = (text: string) => text.split("\n")[0] ?? "";
  switch (name) {
    case "Bash":
      return first(str(input.command));
    case "Read":
    case "Write":
    case "Edit":
    case "MultiEdit":
    case "NotebookEdit":
      return str(input.file_path) || str(input.notebook_path);
    case "Grep":
    case "Glob":
      return `${str(input.pattern)}${input.path ? ` in ${str(input.path)}` : ""}`;
    case "WebFetch":
      return str(input.url);
    case "WebSearch":
      return str(input.query);
    case "Task":
      return str(input.description);
    case "TodoWrite":
      return `${Array.isArray(input.todos) ? input.todos.length : 0} items`;
    default:
      return first(str(input.description) || str(input.command) || str(input.path) || "");
  }
}

/** The readable body of a tool call's input: a command, a diff, a todo list, else the JSON. */
export function ToolInput({ name, input: raw }: { name: string; input: unknown }): JSX.Element {
  const input = asInput(raw);
  switch (name) {
    case "Bash":
      return (
        <>
          {input.description ? <p class="tool-note">{str(input.description)}</p> : null}
          <pre class="terminal" aria-label="command">$ {str(input.command)}</pre>
        </>
      );
    case "Edit":
      return <DiffView label={`changes to ${str(input.file_path)}`} before={str(input.old_string)} after={str(input.new_string)} />;
    case "MultiEdit":
      return (
        <>
          {(Array.isArray(input.edits) ? input.edits : []).map((edit, i) => (
            <DiffView key={i} label={`change ${i + 1} to ${str(input.file_path)}`} before={str(asInput(edit).old_string)} after={str(asInput(edit).new_string)} />
          ))}
        </>
      );
    case "Write":
      return <DiffView label={`new content of ${str(input.file_path)}`} before="" after={str(input.content)} />;
    case "TodoWrite":
      return (
        <ul class="todos">
          {(Array.isArray(input.todos) ? input.todos : []).map((todo, i) => {
            const t = asInput(todo);
            return (
              <li key={i} class={`todo-${str(t.status)}`}>
                {str(t.status) === "completed" ? "✓ " : str(t.status) === "in_progress" ? "▸ " : "○ "}
                {str(t.content)}
              </li>
            );
          })}
        </ul>
      );
    default:
      return <pre class="json">{JSON.stringify(raw, null, 2)}</pre>;
  }
}

const MAX_OUTPUT = 20_000;

/** A tool call, collapsed to one line by default; open it for the input and the output. */
export function ToolCall(props: { name: string; input: unknown; result: ToolResult | undefined; running: boolean }) {
  const { name, input, result } = props;
  const state = result ? (result.denied ? "denied" : result.isError ? "error" : "done") : props.running ? "running" : "no result";
  const output = result?.text ?? "";
  return (
    <details class={`tool tool-${state.replace(" ", "-")}`}>
      <summary>
        <span class="tool-name">{name}</span>
        <span class="tool-subject">{toolSubject(name, input)}</span>
        <span class="tool-state">{state}</span>
      </summary>
      <div class="tool-body">
        <ToolInput name={name} input={input} />
        {result ? (
          <pre class={result.isError && !result.denied ? "tool-output tool-output-error" : "tool-output"} aria-label="output">
            {output.length > MAX_OUTPUT ? `${output.slice(0, MAX_OUTPUT)}\n… ${output.length - MAX_OUTPUT} more characters` : output || "(no output)"}
          </pre>
        ) : null}
      </div>
    </details>
  );
}
