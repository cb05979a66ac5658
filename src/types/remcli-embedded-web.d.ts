// A module that exists only while build.ts compiles the binary (resolved by its plugin).
declare module "remcli-embedded-web" {
  const files: import("../p2p/web-assets.ts").EmbeddedWebFile[];
  export default files;
}
