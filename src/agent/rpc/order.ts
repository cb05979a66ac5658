/** localeCompare's order; one collator is much cheaper than a localeCompare per pair. */
const byName = new Intl.Collator().compare;

/** How listings are sorted, as the reference sorts them: folders first, then by name. */
export function foldersFirst(a: { type: string; name: string }, b: { type: string; name: string }): number {
  return Number(b.type === "directory") - Number(a.type === "directory") || byName(a.name, b.name);
}
