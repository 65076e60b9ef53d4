/**
 * A failure the CLI explains in one line on stderr. Anything else that escapes a command is
 * also shown as one line (main.ts), but only these messages are written for people.
 */
export class CliError extends Error {
  readonly exitCode: number;
  /** The broker's HTTP status, when the broker refused; 401 means the session is no good. */
  readonly httpStatus: number | undefined;
  /** The server's certificate was not one the trusted CAs vouch for. */
  readonly tlsTrust: boolean;

  constructor(message: string, options: { exitCode?: number; httpStatus?: number; tlsTrust?: boolean } = {}) {
    super(message);
    this.name = "CliError";
    this.exitCode = options.exitCode ?? 1;
    this.httpStatus = options.httpStatus;
    this.tlsTrust = options.tlsTrust ?? false;
  }
}

/** Wrong flags or arguments: exit code 2, like kubectl and most Unix tools. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, { exitCode: 2 });
  }
}

export const LOGIN_HINT = "run kubectl broker login";

/** Any error as the one line people see (after "kubectl-broker: "). */
export function describe(err: unknown): string {
  const message = err instanceof Error ? err.message || err.name : String(err);
  return message.replace(/\s*\n\s*/g, " ").trim();
}
