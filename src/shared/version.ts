import pkg from "../../package.json" with { type: "json" };

// build.ts replaces these REMCLI_EMBEDDED_* names through `--define`; from source they
// are undefined.
declare const REMCLI_EMBEDDED_VERSION: string | undefined;
declare const REMCLI_EMBEDDED_BUILD_ID: string | undefined;
declare const REMCLI_EMBEDDED_RELEASE_KEY: string | undefined;

/** From source, package.json is the truth. */
export const VERSION: string =
  typeof REMCLI_EMBEDDED_VERSION === "string" ? REMCLI_EMBEDDED_VERSION : pkg.version;

/** Random per compiled binary (32 hex digits), so two builds of one version differ; "source" from source. */
export const BUILD_ID: string =
  typeof REMCLI_EMBEDDED_BUILD_ID === "string" ? REMCLI_EMBEDDED_BUILD_ID : "source";

/**
 * The public Ed25519 release key (raw 32 bytes, base64url) whose signatures `remcli
 * update` accepts; null from source and in a build made without a signing key.
 */
export const RELEASE_KEY: string | null =
  typeof REMCLI_EMBEDDED_RELEASE_KEY === "string" && REMCLI_EMBEDDED_RELEASE_KEY !== "" ? REMCLI_EMBEDDED_RELEASE_KEY : null;
