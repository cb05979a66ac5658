/** The file a compiled remcli runs from; null from source, where there is no binary to replace. */
export function installedBinary(): string | null {
  const entry = Bun.main;
  const compiled = entry.startsWith("/$bunfs/") || /^[A-Z]:\\~BUN\\/.test(entry);
  return compiled ? process.execPath : null;
}

/**
 * How to run this same remcli again: a compiled binary is its own interpreter, while
 * from source we need bun plus the entry script.
 */
export function selfCommand(): string[] {
  const binary = installedBinary();
  return binary ? [binary] : [process.execPath, Bun.main];
}
