export class RefusedArgument extends Error {
  override name = "RefusedArgument";
}

/** The ripgrep arguments remcli takes from a phone: what both rg and the built-in search do. */
export type SearchArgs = {
  files: boolean;
  hidden: boolean;
  noIgnore: boolean;
  caseMode: "sensitive" | "insensitive" | "smart";
  fixedStrings: boolean;
  wordRegexp: boolean;
  invertMatch: boolean;
  /** undefined: rg's own default (none when its output is not a terminal, as here). */
  lineNumbers: boolean | undefined;
  /** undefined: rg's own default (shown unless one file is searched). */
  withFilename: boolean | undefined;
  noHeading: boolean;
  noMessages: boolean;
  filesWithMatches: boolean;
  count: boolean;
  maxCount: number | undefined;
  maxDepth: number | undefined;
  globs: string[];
  patterns: string[];
  paths: string[];
};

type Flag = { set: (args: SearchArgs) => void } | { value: (args: SearchArgs, value: string) => void };

const on = (set: (args: SearchArgs) => void): Flag => ({ set });
const count = (what: string) => (text: string) => {
  if (!/^\d{1,9}$/.test(text)) throw new RefusedArgument(`${what} takes a number, not ${JSON.stringify(text)}`);
  return Number(text);
};

const FLAGS: Record<string, Flag> = {
  "--files": on((a) => (a.files = true)),
  // Symlinks are never followed: they could lead out of the session directory.
  "--follow": on(() => {}),
  "-L": on(() => {}),
  "--hidden": on((a) => (a.hidden = true)),
  "--no-ignore": on((a) => (a.noIgnore = true)),
  "-i": on((a) => (a.caseMode = "insensitive")),
  "--ignore-case": on((a) => (a.caseMode = "insensitive")),
  "-S": on((a) => (a.caseMode = "smart")),
  "--smart-case": on((a) => (a.caseMode = "smart")),
  "-s": on((a) => (a.caseMode = "sensitive")),
  "--case-sensitive": on((a) => (a.caseMode = "sensitive")),
  "-F": on((a) => (a.fixedStrings = true)),
  "--fixed-strings": on((a) => (a.fixedStrings = true)),
  "-w": on((a) => (a.wordRegexp = true)),
  "--word-regexp": on((a) => (a.wordRegexp = true)),
  "-v": on((a) => (a.invertMatch = true)),
  "--invert-match": on((a) => (a.invertMatch = true)),
  "-n": on((a) => (a.lineNumbers = true)),
  "--line-number": on((a) => (a.lineNumbers = true)),
  "-N": on((a) => (a.lineNumbers = false)),
  "--no-line-number": on((a) => (a.lineNumbers = false)),
  "-H": on((a) => (a.withFilename = true)),
  "--with-filename": on((a) => (a.withFilename = true)),
  "-I": on((a) => (a.withFilename = false)),
  "--no-filename": on((a) => (a.withFilename = false)),
  "--no-heading": on((a) => (a.noHeading = true)),
  "--no-messages": on((a) => (a.noMessages = true)),
  "-l": on((a) => (a.filesWithMatches = true)),
  "--files-with-matches": on((a) => (a.filesWithMatches = true)),
  "-c": on((a) => (a.count = true)),
  "--count": on((a) => (a.count = true)),
  "-g": { value: (a, v) => a.globs.push(v) },
  "--glob": { value: (a, v) => a.globs.push(v) },
  "-e": { value: (a, v) => a.patterns.push(v) },
  "--regexp": { value: (a, v) => a.patterns.push(v) },
  "-m": { value: (a, v) => (a.maxCount = count("--max-count")(v)) },
  "--max-count": { value: (a, v) => (a.maxCount = count("--max-count")(v)) },
  "-d": { value: (a, v) => (a.maxDepth = count("--max-depth")(v)) },
  "--max-depth": { value: (a, v) => (a.maxDepth = count("--max-depth")(v)) },
  "--color": {
    value: (_a, v) => {
      if (v !== "never" && v !== "auto") throw new RefusedArgument(`--color ${v}: only never or auto`);
    },
  },
};

/** Flags that make rg run other programs or read files the phone names: never passed on. */
const DANGEROUS: Record<string, string> = {
  "--pre": "it runs a program on every file",
  "--pre-glob": "it goes with --pre, which runs programs",
  "-z": "it runs decompression programs",
  "--search-zip": "it runs decompression programs",
  "--hostname-bin": "it runs a program",
  "-f": "it reads patterns from a file the phone names",
  "--file": "it reads patterns from a file the phone names",
  "--ignore-file": "it reads a file the phone names",
};

function refuse(flag: string): never {
  const why = DANGEROUS[flag];
  if (why) throw new RefusedArgument(`ripgrep argument ${flag} is not allowed: ${why}`);
  throw new RefusedArgument(`ripgrep argument ${flag} is not supported here (supported: ${Object.keys(FLAGS).join(" ")})`);
}

/**
 * Reads rg's command line the way rg does for the flags above (clusters like `-in`,
 * `--glob=x`, `-m5`, `--`), and refuses every other flag: only known ones reach rg.
 */
export function parseRipgrepArgs(argv: string[]): SearchArgs {
  const args: SearchArgs = {
    files: false,
    hidden: false,
    noIgnore: false,
    caseMode: "sensitive",
    fixedStrings: false,
    wordRegexp: false,
    invertMatch: false,
    lineNumbers: undefined,
    withFilename: undefined,
    noHeading: false,
    noMessages: false,
    filesWithMatches: false,
    count: false,
    maxCount: undefined,
    maxDepth: undefined,
    globs: [],
    patterns: [],
    paths: [],
  };
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const takeValue = (flag: string) => {
      const value = argv[++i];
      if (value === undefined) throw new RefusedArgument(`${flag} needs a value`);
      return value;
    };
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const [name, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
      const flag = FLAGS[name] ?? refuse(name);
      if ("set" in flag) {
        if (inline !== undefined) throw new RefusedArgument(`${name} takes no value`);
        flag.set(args);
      } else flag.value(args, inline ?? takeValue(name));
    } else if (arg.startsWith("-") && arg.length > 1) {
      for (let c = 1; c < arg.length; c++) {
        const name = `-${arg[c]}`;
        const flag = FLAGS[name] ?? refuse(name);
        if ("set" in flag) {
          flag.set(args);
          continue;
        }
        const rest = arg.slice(c + 1);
        flag.value(args, rest || takeValue(name));
        break;
      }
    } else positionals.push(arg);
  }
  if (!args.files && args.patterns.length === 0) {
    const pattern = positionals.shift();
    if (pattern === undefined) throw new RefusedArgument("ripgrep needs a pattern (or --files)");
    args.patterns.push(pattern);
  }
  args.paths = positionals;
  return args;
}

/** The same search as rg's own argv: canonical, without a config file, `.git` left out. */
export function ripgrepArgv(args: SearchArgs): string[] {
  const argv = ["--no-config", "--glob=!.git"];
  const flag = (when: boolean | undefined, name: string) => when && argv.push(name);
  flag(args.files, "--files");
  flag(args.hidden, "--hidden");
  flag(args.noIgnore, "--no-ignore");
  if (args.caseMode === "insensitive") argv.push("--ignore-case");
  if (args.caseMode === "smart") argv.push("--smart-case");
  flag(args.fixedStrings, "--fixed-strings");
  flag(args.wordRegexp, "--word-regexp");
  flag(args.invertMatch, "--invert-match");
  if (args.lineNumbers !== undefined) argv.push(args.lineNumbers ? "--line-number" : "--no-line-number");
  if (args.withFilename !== undefined) argv.push(args.withFilename ? "--with-filename" : "--no-filename");
  flag(args.noHeading, "--no-heading");
  flag(args.noMessages, "--no-messages");
  flag(args.filesWithMatches, "--files-with-matches");
  flag(args.count, "--count");
  if (args.maxCount !== undefined) argv.push(`--max-count=${args.maxCount}`);
  if (args.maxDepth !== undefined) argv.push(`--max-depth=${args.maxDepth}`);
  for (const glob of args.globs) argv.push(`--glob=${glob}`);
  if (!args.files) for (const pattern of args.patterns) argv.push(`--regexp=${pattern}`);
  return [...argv, "--", ...args.paths];
}
