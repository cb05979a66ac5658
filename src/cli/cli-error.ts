/** A usage mistake on the command line: printed with the help, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export const EXIT_USAGE = 2;
