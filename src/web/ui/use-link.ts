import { useEffect, useState } from "preact/hooks";
import type { Link } from "../sync/link.ts";

/** Re-renders the component whenever the link's state changes. */
export function useLink(link: Link | undefined): void {
  const [, setVersion] = useState(0);
  useEffect(() => {
    if (!link) return;
    setVersion(link.version);
    return link.subscribe(() => setVersion(link.version));
  }, [link]);
}
