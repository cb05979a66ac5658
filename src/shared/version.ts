import pkg from "../../package.json" with { type: "json" };

// build.ts replaces REMCLI_EMBEDDED_VERSION through `--define`; from source it is
// undefined and package.json is the truth.
declare const REMCLI_EMBEDDED_VERSION: string | undefined;

export const VERSION: string =
  typeof REMCLI_EMBEDDED_VERSION === "string" ? REMCLI_EMBEDDED_VERSION : pkg.version;
