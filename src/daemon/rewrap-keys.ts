import { contentKeyPair, unwrapDataKey, wrapDataKey } from "../crypto/data-key.ts";
import { nativeBoxCurve } from "../crypto/native.ts";
import type { RotationReport } from "../protocol/control.ts";
import type { Store } from "../store/store.ts";

export type Rewrapped = Omit<RotationReport, "rotated">;

/**
 * Re-wraps every session's and machine's data key from the content key pair of `from`
 * to that of `to`, in one transaction. The data keys themselves do not change, so every
 * stored message stays readable with the new secret. Idempotent: a key that already
 * opens under `to` is left as it is (a rotation interrupted by a crash is finished at
 * the next start).
 */
export function rewrapDataKeys(store: Store, from: Uint8Array, to: Uint8Array): Rewrapped {
  const oldPair = contentKeyPair(from);
  const newPair = contentKeyPair(to);
  const result: Rewrapped = { rewrapped: { sessions: 0, machines: 0 }, legacy: [], unreadable: [] };
  store.transaction(() => {
    for (const row of store.dataKeys.all()) {
      const where = { scope: row.scope, id: row.id };
      if (row.key === null) {
        result.legacy.push(where);
        continue;
      }
      const counted = () => void (row.scope === "session" ? result.rewrapped.sessions++ : result.rewrapped.machines++);
      const key = unwrapDataKey(row.key, oldPair.secretKey, nativeBoxCurve);
      if (key) {
        store.dataKeys.set(row.scope, row.id, wrapDataKey(key, newPair.publicKey, nativeBoxCurve));
        counted();
      } else if (unwrapDataKey(row.key, newPair.secretKey, nativeBoxCurve)) counted();
      else result.unreadable.push(where);
    }
  });
  return result;
}
