/**
 * Remembers a per-session choice on this phone (permission mode, model). Best effort: with
 * storage full, setItem throws, and a choice that cannot be kept for the next visit must
 * still apply now rather than break the screen that made it.
 */
export function rememberPreference(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Over the quota: it holds for this page only.
  }
}
