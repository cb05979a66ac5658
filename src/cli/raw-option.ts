/**
 * The text of `--name value` / `--name=value` exactly as typed. cac's parser turns
 * anything numeric-looking into a number, which drops a hash's leading zeros.
 */
export function rawOption(argv: readonly string[], name: string): string | undefined {
  let found: string | undefined;
  argv.forEach((arg, index) => {
    if (arg === name) found = argv[index + 1];
    else if (arg.startsWith(`${name}=`)) found = arg.slice(name.length + 1);
  });
  return found;
}
