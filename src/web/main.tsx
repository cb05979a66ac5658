import { render } from "preact";
import { clearFragment, readPairingFragment } from "./pairing/fragment.ts";
import { acceptPairing } from "./pairing/accept.ts";
import { createLinks } from "./links.ts";
import { createAttention } from "./notify/attention.ts";
import { registerServiceWorker } from "./notify/service-worker.ts";
import { App, type Startup } from "./ui/app.tsx";
import { navigate } from "./ui/router.ts";
import "./styles.css";

/**
 * Entry of the phone app. A QR link (`/terminal/connect#{…}`) is turned into a stored
 * pairing before anything else runs, once the daemon has accepted its key, and the
 * fragment — the shared secret — is removed from the address bar and this history entry at once.
 */
async function pairFromUrl(): Promise<Startup> {
  const fragment = readPairingFragment(location.hash);
  const onConnectPage = location.pathname.startsWith("/terminal/connect");
  if (fragment.kind === "none") {
    if (onConnectPage) clearFragment("/");
    return { notice: null, problem: null };
  }
  clearFragment(onConnectPage ? "/" : location.pathname);
  if (fragment.kind === "invalid") return { notice: null, problem: `That link did not pair this phone: ${fragment.reason}.` };
  const accepted = await acceptPairing(fragment.payload);
  return accepted.ok ? { notice: accepted.notice, problem: null } : { notice: null, problem: accepted.problem };
}

void pairFromUrl().then((startup) => {
  const links = createLinks();
  registerServiceWorker((path) => navigate(path));
  createAttention(links, (path) => navigate(path));
  render(<App links={links} startup={startup} />, document.getElementById("app")!);
});
