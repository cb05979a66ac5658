/**
 * The lowest CLI version the reference phone app works with: below it, its session and
 * info screens say "CLI Update Required". From the app's sources/utils/versionUtils.ts
 * (`MINIMUM_CLI_VERSION`), which compares `metadata.version` number by number after
 * dropping a `-suffix`. Our VERSION must never fall below it (test/protocol/version.test.ts).
 */
export const APP_MINIMUM_CLI_VERSION = "0.10.0";
