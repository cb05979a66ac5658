/** A sentence whose `backticked` parts are commands: shown as code, the rest as text. */
export function InlineCode({ text }: { text: string }) {
  return <>{text.split("`").map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part))}</>;
}
