/**
 * A mistake in what the operator asked for (a partition the topic does not have, an offset with no
 * record). Nothing around the service is wrong, so it is told in one line, without a stack trace.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EX_USAGE = 64; // sysexits.h: the command was used incorrectly

/** Wraps a CLI action: a UsageError becomes one line on stderr and exit code 64; anything else passes. */
export function reportingUsageErrors<A extends unknown[]>(
  action: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await action(...args);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      process.stderr.write(`invoice-finance-sync: ${error.message}\n`);
      process.exitCode = EX_USAGE;
    }
  };
}
