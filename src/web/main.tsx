import { render } from "preact";
import { clearFragment, readPairingFragment } from "./pairing/fragment.ts";
import { rememberPairing } from "./pairing/pairings.ts";
import { urlHost } from "../protocol/reach.ts";
import { createLinks } from "./links.ts";
import { createAttention } from "./notify/attention.ts";
import { registerServiceWorker } from "./notify/service-worker.ts";
import { App, type Startup } from "./ui/app.tsx";
import { navigate } from "./ui/router.ts";
import "./styles.css";

/**
 * Entry of the phone app. A QR link (`/terminal/connect#{…}`) is turned into a stored
 * pairing before anything else runs, and the fragment — the shared secret — is removed
 * from the address bar and this history entry at once.
 */
function pairFromUrl(): Startup {
  const fragment = readPairingFragment(location.hash);
  const onConnectPage = location.pathname.startsWith("/terminal/connect");
  if (fragment.kind === "none") {
    if (onConnectPage) clearFragment("/");
    return { notice: null, problem: null };
  }
  clearFragment(onConnectPage ? "/" : location.pathname);
  if (fragment.kind === "invalid") return { notice: null, problem: fragment.reason };
  const pairing = rememberPairing(fragment.payload);
  return { notice: `Paired with ${pairing.port ? `${urlHost(pairing.host)}:${pairing.port}` : pairing.host}.`, problem: null };
}

const startup = pairFromUrl();
const links = createLinks();
registerServiceWorker((path) => navigate(path));
createAttention(links, (path) => navigate(path));
render(<App links={links} startup={startup} />, document.getElementById("app")!);
