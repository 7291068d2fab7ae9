/**
 * Errors are values until the edge: helpers throw these, and only the CLI entry point turns them into an exit
 * code and a message.
 */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** `update` left conflict markers in files. */
  conflicts: 3,
  cancelled: 130,
} as const;

/** The command line or the target cannot work as given; the message says what would. Exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly exitCode = EXIT.usage;
}

/** The user pressed Ctrl-C or declined. Nothing was written. Exit 130. */
export class CancelledError extends Error {
  override name = 'CancelledError';
  readonly exitCode = EXIT.cancelled;
  constructor(message = 'Cancelled') {
    super(message);
  }
}

/**
 * The file system refused what the user asked for (no permission, read-only, full): said in their words, about
 * their path, without a stack trace to ask for. Exit 1.
 */
export class WriteRefusedError extends Error {
  override name = 'WriteRefusedError';
  readonly exitCode = EXIT.failure;
}

export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError || error instanceof CancelledError) return error.exitCode;
  return EXIT.failure;
}
