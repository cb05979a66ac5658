/**
 * How to run this same remcli again: a compiled binary is its own interpreter, while
 * from source we need bun plus the entry script.
 */
export function selfCommand(): string[] {
  const entry = Bun.main;
  const compiled = entry.startsWith("/$bunfs/") || /^[A-Z]:\\~BUN\\/.test(entry);
  return compiled ? [process.execPath] : [process.execPath, entry];
}
