// The web app imports its stylesheet for Bun's bundler to emit it as a hashed .css file.
declare module "*.css";
