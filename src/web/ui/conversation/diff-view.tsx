import { useMemo } from "preact/hooks";
import { lineDiff } from "./line-diff.ts";

const SIGN = { same: " ", added: "+", removed: "-" } as const;

/** A file edit as a unified-style diff: removed lines red, added green, both also marked by sign. */
export function DiffView({ before, after, label }: { before: string; after: string; label: string }) {
  const lines = useMemo(() => lineDiff(before, after), [before, after]);
  return (
    <pre class="diff" aria-label={label}>
      {lines.map((line, i) => (
        <div key={i} class={`diff-${line.kind}`}>
          <span class="diff-sign" aria-hidden="true">{SIGN[line.kind]}</span>
          {line.text || " "}
        </div>
      ))}
    </pre>
  );
}
